// A restore's selection from the text both entry points take (the action's inputs, sfbackup's
// flags): one reading, so a value means the same whichever way it is given.
import { commaList } from '../config/settings.ts';
import type { RestoreSelection } from './contracts.ts';
import { parseMaskRules } from './mask.ts';

export interface SelectionText {
  objects?: string | undefined;
  ids?: string | undefined;
  where?: string | undefined;
  fields?: string | undefined;
  overwriteNewer?: boolean | undefined;
  externalIdField?: string | undefined;
  mask?: string | undefined;
  usernameSuffix?: string | undefined;
  fallbackUser?: string | undefined;
}

/** Throws RestorePlanError (`bad_selection`) for a masking rule it cannot read. */
export function selectionFrom(t: SelectionText): RestoreSelection {
  const objects = commaList(t.objects);
  const ids = commaList(t.ids);
  const fields = commaList(t.fields);
  const mask = parseMaskRules(t.mask);
  return {
    ...(objects ? { objects } : {}),
    ...(ids ? { ids } : {}),
    ...(t.where?.trim() ? { where: t.where.trim() } : {}),
    ...(fields ? { fields } : {}),
    ...(t.overwriteNewer ? { overwriteNewer: true } : {}),
    ...(t.externalIdField ? { externalIdField: t.externalIdField } : {}),
    ...(mask ? { mask } : {}),
    ...(t.usernameSuffix || t.fallbackUser
      ? {
          mapping: {
            ...(t.usernameSuffix ? { usernameSuffix: t.usernameSuffix } : {}),
            ...(t.fallbackUser ? { fallbackUser: t.fallbackUser } : {}),
          },
        }
      : {}),
  };
}
