import { createHash } from 'node:crypto';
import {
  BlobSASPermissions,
  type BlobServiceClient,
  BlobServiceClient as BlobServiceClientCtor,
  type ContainerClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { DEV_ACCOUNT, DEV_KEY } from './azurite.ts';

export interface BlobStat {
  size: number;
  sha256: string;
  contentType?: string;
}

const UPLOAD_URL_TTL_MS = 6 * 3600 * 1000;
const DOWNLOAD_URL_TTL_MS = 10 * 60 * 1000;

/**
 * The artifact container in Azurite. Signed URLs carry a service SAS made with the development
 * account key; their expiry is in real time because Azurite checks it against its own clock.
 */
export class BlobStore {
  readonly container: ContainerClient;
  private readonly credential: StorageSharedKeyCredential;
  private readonly service: BlobServiceClient;

  constructor(accountUrl: string, containerName = 'actions-results') {
    this.credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
    this.service = new BlobServiceClientCtor(accountUrl, this.credential);
    this.container = this.service.getContainerClient(containerName);
  }

  async init(): Promise<void> {
    await this.container.createIfNotExists();
  }

  private signedUrl(blobName: string, permissions: string, ttlMs: number, contentDisposition?: string): string {
    const blob = this.container.getBlobClient(blobName);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: this.container.containerName,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(Date.now() - 5 * 60 * 1000),
        expiresOn: new Date(Date.now() + ttlMs),
        ...(contentDisposition ? { contentDisposition } : {}),
      },
      this.credential,
    );
    return `${blob.url}?${sas.toString()}`;
  }

  /** Create + write only: the holder can put blocks and commit them, not read other blobs. */
  uploadUrl(blobName: string): string {
    return this.signedUrl(blobName, 'cw', UPLOAD_URL_TTL_MS);
  }

  /** Read only, with a `Content-Disposition` override naming the file (raw artifacts are saved under it). */
  downloadUrl(blobName: string, fileName: string): string {
    const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return this.signedUrl(blobName, 'r', DOWNLOAD_URL_TTL_MS, `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  }

  /** Size and SHA-256 of the committed blob, or undefined when nothing was committed. */
  async stat(blobName: string): Promise<BlobStat | undefined> {
    const blob = this.container.getBlobClient(blobName);
    try {
      const res = await blob.download();
      const hash = createHash('sha256');
      let size = 0;
      const body = res.readableStreamBody;
      if (body) {
        for await (const chunk of body) {
          const buf = chunk as Buffer;
          size += buf.length;
          hash.update(buf);
        }
      }
      return { size, sha256: hash.digest('hex'), ...(res.contentType ? { contentType: res.contentType } : {}) };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async put(blobName: string, data: Buffer, contentType: string): Promise<void> {
    await this.container.getBlockBlobClient(blobName).uploadData(data, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  async delete(blobName: string): Promise<void> {
    await this.container.getBlobClient(blobName).deleteIfExists();
  }

  async exists(blobName: string): Promise<boolean> {
    return this.container.getBlobClient(blobName).exists();
  }

  /** Committed block sizes, in order: lets a test see how the client split its upload. */
  async committedBlocks(blobName: string): Promise<number[]> {
    const list = await this.container.getBlockBlobClient(blobName).getBlockList('committed');
    return (list.committedBlocks ?? []).map((b) => b.size);
  }
}
