// The model the pages render. The build script computes it once (validating the data before Astro
// starts) and hands it over in-process; a build started another way reads the options from the
// environment and computes it here.
import { loadStatusData } from './load.ts';
import { buildModel, type SiteModel } from './model.ts';
import { siteOptionsSchema } from './options.ts';

const KEY = Symbol.for('salesforce-backup.site.model');
export const OPTIONS_ENV = 'SFBACKUP_SITE_OPTIONS';

type Holder = { [KEY]?: SiteModel };

export function provideModel(model: SiteModel | undefined): void {
  (globalThis as Holder)[KEY] = model;
}

export function siteModel(): SiteModel {
  const holder = globalThis as Holder;
  const given = holder[KEY];
  if (given) return given;
  const raw = process.env[OPTIONS_ENV];
  if (!raw) throw new Error(`Build the status site with site/build.ts (npm run site -- --data DIR --out DIR): ${OPTIONS_ENV} is not set`);
  const options = siteOptionsSchema.parse(JSON.parse(raw));
  const model = buildModel(loadStatusData(options.dataDir), options);
  holder[KEY] = model;
  return model;
}
