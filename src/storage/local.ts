// A folder on disk: `<dir>/<alias>/` holds the last good snapshot of each org.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LocalStorageConfig } from './config.ts';
import type { PreviousSnapshot, PublishOptions, PublishResult, StorageTarget } from './contracts.ts';
import { StorageError } from './errors.ts';
import { checkAlias, hasManifest, stagedSnapshot } from './files.ts';

export class LocalTarget implements StorageTarget {
  readonly kind = 'local';
  readonly dir: string;

  constructor(config: Pick<LocalStorageConfig, 'dir'>) {
    this.dir = path.resolve(config.dir);
  }

  async fetchPrevious(alias: string, _workDir: string): Promise<PreviousSnapshot | undefined> {
    checkAlias('local', alias);
    await this.recover(alias);
    // The folder is read in place: the orchestration only reads a previous snapshot.
    if (!hasManifest(path.join(this.dir, alias))) return undefined;
    return { dir: this.dir, location: path.join(this.dir, alias) };
  }

  async publish(alias: string, stagingDir: string, _message: string, options: PublishOptions = {}): Promise<PublishResult> {
    checkAlias('local', alias);
    const source = stagedSnapshot('local', alias, stagingDir);
    const dest = path.join(this.dir, alias);
    const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const tmp = path.join(this.dir, `.${alias}.tmp-${suffix}`);
    const old = path.join(this.dir, `.${alias}.old-${suffix}`);
    try {
      await mkdir(this.dir, { recursive: true });
      await this.recover(alias);
      // The copy goes next to the destination so the final step is a rename on one file system.
      // The staged snapshot is this run's own: moving it is instant on the same filesystem; a copy
      // (another filesystem) costs a second write of every byte.
      const copy = () => cp(source, tmp, { recursive: true, errorOnExist: true, force: false });
      if (options.disposable) {
        await rename(source, tmp).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EXDEV') throw err;
          await copy();
        });
      } else await copy();
      if (!hasManifest(tmp)) throw new Error(`the copy in ${tmp} has no manifest.json`);
      // A directory cannot be renamed over a non-empty one: move the old one aside first, and put
      // it back if the swap fails. `recover` finishes the job if the process dies in between.
      const hadOld = existsSync(dest);
      if (hadOld) await rename(dest, old);
      try {
        await rename(tmp, dest);
      } catch (err) {
        if (hadOld) await rename(old, dest);
        throw err;
      }
      if (hadOld) await rm(old, { recursive: true, force: true });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => {});
      if (err instanceof StorageError) throw err;
      throw new StorageError({
        target: 'local',
        reason: 'io',
        message: `Could not publish the snapshot of ${alias} to ${dest}: ${(err as Error).message}`,
        remedy: `Check that ${this.dir} is writable and has room; the previous snapshot there is unchanged.`,
        cause: err,
      });
    }
    return { location: dest, path: dest };
  }

  /** Undoes what a publish killed halfway left behind: a missing `<alias>` with its `.old` copy. */
  private async recover(alias: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const dest = path.join(this.dir, alias);
    const olds = names.filter((n) => n.startsWith(`.${alias}.old-`));
    for (const name of olds) {
      const p = path.join(this.dir, name);
      if (!existsSync(dest) && hasManifest(p)) await rename(p, dest);
      else await rm(p, { recursive: true, force: true });
    }
  }
}
