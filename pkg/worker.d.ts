// Types of pseudolink/worker (hand-written; ./worker.js is hand-written too).
import type {
  DedupeResult, EncodedRecordResult, EncodedRecord, EntitiesResult, Explanation, IdentifiedRecord,
  IdentityDefinition, LinkConfig, LinkProgress, LinkResult, LinkageSchema, ModelParams, TokenKeyInput,
} from './pseudolink_link.js';

/** Rejections of `LinkWorker` calls: `code` is stable (`worker.cancelled`, `worker.failed`, or the link entry's codes). */
export class WorkerError extends Error {
  constructor(code: string, message?: string, details?: { field?: string; row?: number });
  readonly code: string;
  readonly field?: string;
  readonly row?: number;
}

export interface WorkerCallOptions {
  /** As for `new Linker(config)`: an object or JSON text. */
  config?: LinkConfig | string;
  /** As for `Linker#setParams`: an object or JSON text. */
  params?: ModelParams | string;
  onProgress?: (p: LinkProgress) => void;
}

/** What `encode` needs: keys and definition as for `RecordEncoder`, and the records. */
export interface EncodeArgs {
  keys: TokenKeyInput[];
  definition: IdentityDefinition | string;
  clkSchema?: LinkageSchema | string;
  clkSecret?: Uint8Array;
  records: IdentifiedRecord[];
}

/**
 * Runs the link entry in a module Web Worker so a page stays responsive on
 * large files. One worker per instance; calls queue in order.
 */
export class LinkWorker {
  constructor(options?: { url?: string | URL });
  encode(args: EncodeArgs, options?: { onProgress?: (p: LinkProgress) => void }): Promise<EncodedRecordResult[]>;
  link(a: EncodedRecord[], b: EncodedRecord[], options?: WorkerCallOptions): Promise<LinkResult>;
  dedupe(records: EncodedRecord[], options?: WorkerCallOptions): Promise<DedupeResult>;
  linkMany(sources: EncodedRecord[][], options?: WorkerCallOptions): Promise<EntitiesResult>;
  explain(a: EncodedRecord, b: EncodedRecord, options?: { config?: LinkConfig | string; params?: ModelParams | string }): Promise<Explanation>;
  /** Stops the work in progress; pending calls reject with `worker.cancelled`. */
  cancel(): void;
  terminate(): void;
}
