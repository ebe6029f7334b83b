// Puter's POST /batch: ops (write, mkdir, move, delete) with their files streamed in one multipart body.
import { AppError, BadRequestError, fail, toAppError } from "../../errors.ts";
import { multipartParts } from "../../http/multipart.ts";
import type { FileWriter } from "./file-writer.ts";
import type { FilesService } from "./files.service.ts";
import type { TrashService } from "./trash.service.ts";
import { toV1, type FsEntryRow } from "./fs-entry.ts";
import { bool, body, type Body } from "./puter-input.ts";
import { checkName, joinPath } from "./virtual-path.ts";

type Result = ReturnType<typeof toV1> | { error: true; status: number; code: string; message: string; [k: string]: unknown };

export class BatchRunner {
  /** `as: "dir_1"` names from mkdir ops, for later ops that say "$dir_1" (old Puter clients). */
  private readonly aliases = new Map<string, FsEntryRow>();
  readonly results: Result[] = [];
  private readonly pendingWrites: { op: Body; index: number }[] = [];

  constructor(
    private readonly owner: string,
    private readonly files: FilesService,
    private readonly writer: FileWriter,
    private readonly trash: TrashService,
  ) {}

  get failed(): boolean {
    return this.results.some((r) => r && "error" in r && r.error === true);
  }

  /** An operation arrives: run it now, or (a write) wait for its file. */
  async operation(raw: unknown): Promise<void> {
    const index = this.results.length;
    this.results.push(undefined as never);
    const op = body(raw);
    if (op.op === "write") {
      this.pendingWrites.push({ op, index });
      return;
    }
    this.results[index] = await this.attempt(() => this.runOp(op));
  }

  /** The next file part arrives: it belongs to the write op with that item_upload_id (else the next in order). */
  async file(fileIndex: number, filename: string, stream: AsyncIterable<Uint8Array>): Promise<void> {
    const at = this.pendingWrites.findIndex((w) => Number(w.op.item_upload_id ?? -1) === fileIndex);
    const slot = at >= 0 ? this.pendingWrites.splice(at, 1)[0] : this.pendingWrites.shift();
    if (!slot) throw new BadRequestError("A file arrived without a write operation for it", "invalid_batch");
    this.results[slot.index] = await this.attempt(async () => {
      const dir = this.dirOf(slot.op.path ?? slot.op.parent ?? "~");
      const name = typeof slot.op.name === "string" && slot.op.name !== "" ? slot.op.name : filename;
      const row = await this.writer.write(this.owner, joinPath(dir.path, checkName(name)), stream, {
        overwrite: bool(slot.op.overwrite, false),
        dedupe: bool(slot.op.dedupe_name ?? slot.op.change_name, true),
        createParents: bool(slot.op.create_missing_parents ?? slot.op.create_missing_ancestors, false),
      });
      return toV1(row);
    });
  }

  /** Writes whose file never came. */
  finish(): void {
    for (const w of this.pendingWrites.splice(0)) this.results[w.index] = errorResult(new BadRequestError("No file was sent for this write", "missing_file"));
  }

  private async runOp(op: Body): Promise<ReturnType<typeof toV1>> {
    switch (op.op) {
      case "mkdir": {
        const parent = op.parent === undefined ? undefined : this.selector(op.parent);
        const path = typeof op.name === "string" ? `${String(op.path ?? "").replace(/\/+$/, "")}/${op.name}` : op.path;
        const row = this.files.mkdir(this.owner, {
          path,
          parent,
          overwrite: bool(op.overwrite, false),
          dedupe: bool(op.dedupe_name ?? op.change_name, false),
          createParents: bool(op.create_missing_parents ?? op.create_missing_ancestors, false),
        });
        if (typeof op.as === "string") this.aliases.set(op.as, row);
        return toV1(row);
      }
      case "move":
        return toV1(
          this.files.move(this.owner, this.selector(op.source), this.selector(op.destination), { overwrite: bool(op.overwrite, false), dedupe: bool(op.dedupe_name, false), newName: op.new_name })
            .moved,
        );
      case "delete": {
        const [row] = this.trash.delete(this.owner, [this.selector(op.path ?? op.uid)]);
        return toV1(row!);
      }
      default:
        throw new BadRequestError(`Unknown batch operation: ${String(op.op).slice(0, 30)}`, "invalid_batch");
    }
  }

  private selector(value: unknown): unknown {
    if (typeof value === "string" && value.startsWith("$")) {
      const row = this.aliases.get(value.slice(1));
      if (!row) throw new BadRequestError(`Unknown reference ${value.slice(0, 40)}`, "invalid_batch");
      return row.uid;
    }
    return value;
  }

  private dirOf(value: unknown): FsEntryRow {
    const dir = this.files.find(this.owner, this.selector(value));
    if (!dir.is_dir) throw fail("dest_is_not_a_directory", "The target is a file, not a folder");
    return dir;
  }

  private async attempt(fn: () => Promise<ReturnType<typeof toV1>> | ReturnType<typeof toV1>): Promise<Result> {
    try {
      return await fn();
    } catch (err) {
      return errorResult(toAppError(err));
    }
  }
}

function errorResult(err: AppError): Result {
  return { ...err.extra, error: true, status: err.status, code: err.code, message: err.message };
}

/** Run a multipart batch, streaming each file straight to its write. */
export async function runMultipartBatch(request: Request, owner: string, files: FilesService, writer: FileWriter, trash: TrashService): Promise<BatchRunner> {
  const runner = new BatchRunner(owner, files, writer, trash);
  let fileIndex = 0;
  for await (const part of multipartParts(request)) {
    if (part.kind === "field") {
      if (part.name === "operation") {
        let op: unknown;
        try {
          op = JSON.parse(part.value);
        } catch {
          throw new BadRequestError("An operation field is not valid JSON", "invalid_json");
        }
        await runner.operation(op);
      }
      // fileinfo, operation_id, socket ids: nothing to do (sizes are checked on the bytes themselves).
    } else {
      await runner.file(fileIndex++, part.filename, part.stream);
    }
  }
  runner.finish();
  return runner;
}
