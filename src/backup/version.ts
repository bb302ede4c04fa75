// Set by scripts/build.ts from package.json; running from source says "dev". Written into manifests.
declare const SFBACKUP_VERSION: string | undefined;
export const TOOL_VERSION: string = typeof SFBACKUP_VERSION === 'string' ? SFBACKUP_VERSION : 'dev';
