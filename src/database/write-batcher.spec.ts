import { WriteBatcher } from './write-batcher';

/** A flush the test releases by hand, recording what each call carried. */
function gatedFlush() {
  const calls: number[][] = [];
  const gates: Array<() => void> = [];
  const flush = async (items: readonly number[]): Promise<Array<number | Error>> => {
    calls.push([...items]);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map((i) => (i < 0 ? new Error(`bad ${i}`) : i * 10));
  };
  const openNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { calls, flush, openNext };
}

describe('WriteBatcher', () => {
  it('flushes a lone item on its own, then everything that arrived meanwhile in one flush', async () => {
    const f = gatedFlush();
    const batcher = new WriteBatcher(f.flush, { maxBatch: 100, parallel: 1 });
    const first = batcher.submit(1);
    await f.openNext();
    await expect(first).resolves.toBe(10);

    const a = batcher.submit(2);
    await new Promise((r) => setImmediate(r));
    const rest = [3, 4, 5].map((i) => batcher.submit(i));
    await f.openNext();
    await f.openNext();
    await expect(Promise.all([a, ...rest])).resolves.toEqual([20, 30, 40, 50]);
    expect(f.calls).toEqual([[1], [2], [3, 4, 5]]);
  });

  it('fails only the item whose slot holds an error', async () => {
    const f = gatedFlush();
    const batcher = new WriteBatcher(f.flush, { maxBatch: 100, parallel: 1 });
    const results = Promise.allSettled([1, -2, 3].map((i) => batcher.submit(i)));
    await f.openNext();
    const settled = await results;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad -2'));
  });

  it('never runs more than `parallel` flushes and caps each at maxBatch', async () => {
    let running = 0;
    let peak = 0;
    const sizes: number[] = [];
    const batcher = new WriteBatcher<number, number>(
      async (items) => {
        running += 1;
        peak = Math.max(peak, running);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return [...items];
      },
      { maxBatch: 7, parallel: 2 },
    );
    const all = Array.from({ length: 50 }, (_, i) => batcher.submit(i));
    await expect(Promise.all(all)).resolves.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(2);
    expect(Math.max(...sizes)).toBe(7);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50);
  });

  it('rejects every item of a flush that throws, and keeps working after it', async () => {
    let fail = true;
    const batcher = new WriteBatcher<number, number>(
      async (items) => {
        if (fail) throw new Error('database away');
        return [...items];
      },
      { maxBatch: 10, parallel: 1 },
    );
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('database away');
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(3);
  });
});

describe('WriteBatcher with retryAlone', () => {
  it('flushes each item alone after a failed flush, so only the bad one fails', async () => {
    const calls: number[][] = [];
    const batcher = new WriteBatcher<number, number>(
      async (items) => {
        calls.push([...items]);
        if (items.includes(-1)) throw new Error('constraint broken');
        return [...items];
      },
      { maxBatch: 10, parallel: 1, retryAlone: true },
    );
    const settled = await Promise.allSettled([1, -1, 2].map((i) => batcher.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([[1, -1, 2], [1], [-1], [2]]);
  });
});

describe('WriteBatcher with lingerMs', () => {
  it('holds the first flush back so items arriving within the linger go with it', async () => {
    const calls: number[][] = [];
    const batcher = new WriteBatcher<number, number>(
      async (items) => {
        calls.push([...items]);
        return [...items];
      },
      { maxBatch: 10, parallel: 1, lingerMs: 30 },
    );
    const first = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const second = batcher.submit(2);
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
    expect(calls).toEqual([[1, 2]]);
  });
});
