/**
 * How much of a document's raw bytes the admin API's and the dashboard's document views show: the
 * first CONTENT_PREVIEW_BYTES (a 64 MiB supplier file must not become a 64 MiB page or JSON body),
 * with the number of bytes left out. The whole file is `GET /v1/admin/documents/{id}/raw`.
 */
export const CONTENT_PREVIEW_BYTES = 256 * 1024;

export function contentPreview(content: Buffer, max = CONTENT_PREVIEW_BYTES): { text: string; omittedBytes: number } {
  if (content.length <= max) return { text: content.toString('utf8'), omittedBytes: 0 };
  return { text: content.subarray(0, max).toString('utf8'), omittedBytes: content.length - max };
}
