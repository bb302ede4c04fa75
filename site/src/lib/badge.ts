// Per-org badges for READMEs and dashboards: a shields.io endpoint JSON (shields renders it in the
// reader's style) and a self-contained SVG (no third party at view time).
import { type SiteState, STATE_INFO } from './states.ts';

/** https://shields.io/badges/endpoint-badge */
export interface ShieldsEndpoint {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
  isError?: boolean;
}

const COLORS: Record<string, string> = {
  brightgreen: '#2e7d32',
  red: '#c62828',
  orange: '#b45309',
  yellow: '#8a6d00',
  blue: '#1565c0',
  lightgrey: '#5f6368',
};

export function shieldsEndpoint(alias: string, state: SiteState): ShieldsEndpoint {
  const info = STATE_INFO[state];
  return {
    schemaVersion: 1,
    label: `backup ${alias}`,
    message: info.label.toLowerCase(),
    color: info.badgeColor,
    ...(info.actionNeeded ? { isError: true } : {}),
  };
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Verdana 11px is about 6.5px a character on average; close enough for a badge. */
function textWidth(text: string): number {
  return Math.ceil(text.length * 6.5) + 10;
}

export function badgeSvg(alias: string, state: SiteState): string {
  const { label, message, color } = shieldsEndpoint(alias, state);
  const lw = textWidth(label);
  const mw = textWidth(message);
  const fill = COLORS[color] ?? '#5f6368';
  const title = esc(`${label}: ${message}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + mw}" height="20" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${fill}"/>` +
    `<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">` +
    `<text x="${lw / 2}" y="14">${esc(label)}</text><text x="${lw + mw / 2}" y="14">${esc(message)}</text></g></svg>\n`
  );
}
