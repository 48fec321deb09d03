import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';

/**
 * Merges streams that are each in resident-code order into one stream in resident-code order (a
 * binary heap of the streams' heads). A prefecture's residents are read as the merge of its
 * municipalities' streams, each walking the municipality index in code order: one index serves
 * both kinds of scope (migration 0003). Pulls one stream at a time, so streams may share one
 * connection.
 */
export async function* mergeByCode(
  sources: readonly AsyncIterator<IdentityRecord>[],
): AsyncGenerator<IdentityRecord> {
  const heap: { head: IdentityRecord; source: AsyncIterator<IdentityRecord> }[] = [];
  const less = (a: number, b: number) => heap[a]!.head.residentCode < heap[b]!.head.residentCode;
  const swap = (a: number, b: number) => {
    [heap[a], heap[b]] = [heap[b]!, heap[a]!];
  };
  const up = (i: number) => {
    while (i > 0 && less(i, (i - 1) >> 1)) {
      swap(i, (i - 1) >> 1);
      i = (i - 1) >> 1;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  try {
    for (const source of sources) {
      const first = await source.next();
      if (!first.done) {
        heap.push({ head: first.value, source });
        up(heap.length - 1);
      }
    }
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.head;
      const next = await top.source.next();
      if (next.done) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          down(0);
        }
      } else {
        top.head = next.value;
        down(0);
      }
    }
  } finally {
    // Stopped early (or failed): end the streams still open, so that they release what they hold.
    for (const { source } of heap) await source.return?.();
  }
}
