/**
 * An S3-compatible server on loopback for a rehearsal: the npm package `s3rver` (a filesystem-backed S3 API), on
 * 127.0.0.1 and a free port, with the destination bucket created and the rehearsal's access key registered.
 *
 * What it does not do, and the report says so: it does not verify SigV4 signatures (only that the access key id is
 * known) and it ignores server-side encryption headers (it neither refuses nor applies them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
interface AwsAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

/** Options of `LocalS3Server.start`. */
export interface LocalS3Options {
  /** The bucket to create (from the destination path). */
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where the objects are stored. Default: a new temp directory, removed on stop. */
  readonly directory?: string;
}

/** A running local S3 server. */
export class LocalS3Server {
  /** Starts the server; throws when the npm package `s3rver` is not installed. */
  public static async start(options: LocalS3Options): Promise<LocalS3Server> {
    let S3rver: S3rverConstructor;
    let account: AwsAccount;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      S3rver = require('s3rver') as S3rverConstructor;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      account = (require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: AwsAccount }).DUMMY_ACCOUNT;
    } catch (e) {
      throw new Error(`the local S3 server needs the npm package s3rver (npm install): ${(e as Error).message}`);
    }
    const ownDir = options.directory === undefined;
    const directory = options.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cnpg-s3-'));
    account.createKeyPair(options.accessKeyId, options.secretAccessKey);
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: options.bucket ? [{ name: options.bucket }] : [],
      // a bucket name that is also a host name must not be read as a virtual host
      vhostBuckets: false,
    });
    let address: { port: number };
    try {
      address = await server.run();
    } catch (e) {
      account.revokeAccessKey(options.accessKeyId);
      if (ownDir) fs.rmSync(directory, { recursive: true, force: true });
      throw e;
    }
    return new LocalS3Server(server, account, options.accessKeyId, directory, ownDir, address.port);
  }

  /** `http://127.0.0.1:<port>`. */
  public readonly endpoint: string;
  private stopped = false;

  private constructor(
    private readonly server: S3rverInstance,
    private readonly account: AwsAccount,
    private readonly accessKeyId: string,
    /** Where the objects are. */
    public readonly directory: string,
    private readonly ownDir: boolean,
    public readonly port: number,
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  /** Stops the server and removes its objects. Idempotent. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.server.close();
    } catch {
      // not running
    }
    this.account.revokeAccessKey(this.accessKeyId);
    if (this.ownDir) fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
