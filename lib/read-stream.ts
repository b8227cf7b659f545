// The whole of a readable stream (an HTTP request or response body) as one Buffer, bounded.
// Listeners rather than `for await`: the async iterator Node builds per stream cost as much as
// the rest of reading a small body, and the apiserver and its clients read one per request.
import type { Readable } from 'node:stream';

export class StreamTooLargeError extends Error {
  readonly code = 'FLOTILLA_ERR_STREAM_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`stream larger than ${maxBytes} bytes`);
    this.name = 'StreamTooLargeError';
  }
}

/**
 * Resolves with every byte once the stream ends. Rejects with StreamTooLargeError past maxBytes
 * (the stream is destroyed, as breaking out of `for await` did), with the stream's error, or
 * with ERR_STREAM_PREMATURE_CLOSE when it closes before its end.
 */
export function readStream(stream: Readable, maxBytes: number): Promise<Buffer> {
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (e: Error | undefined): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (e !== undefined) reject(e);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        settle(new StreamTooLargeError(maxBytes));
        stream.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined);
    const onError = (e: Error): void => settle(e);
    const onClose = (): void => settle(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
