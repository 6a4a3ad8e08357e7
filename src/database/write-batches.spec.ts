import { loadConfig } from '../providers/provider-config';
import type { AppLogger } from '../common/logger.module';
import { Metrics } from '../metrics/metrics.service';
import { WriteBatches } from './write-batches';

describe('WriteBatches', () => {
  it('counts and logs a flush that failed as a whole, then redoes its items one by one', async () => {
    const metrics = new Metrics();
    const warn = jest.fn();
    const batches = new WriteBatches(loadConfig({ WRITE_BATCH_LINGER_MS: '0' }), metrics, {
      warn,
    } as unknown as AppLogger);
    const batcher = batches.create('claim', async (items: readonly number[]) => {
      if (items.includes(-1)) throw new Error('duplicate key value violates unique constraint');
      return [...items];
    });
    const settled = await Promise.allSettled([1, -1, 2].map((i) => batcher.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // One flush of three failed as a whole; its items were then written alone, outside the count.
    const fallbacks = (await metrics.writeBatchFallbacks.get()).values;
    expect(fallbacks).toEqual([expect.objectContaining({ labels: { batch: 'claim' }, value: 1 })]);
    expect(warn).toHaveBeenCalledWith(
      { batch: 'claim', err: 'duplicate key value violates unique constraint' },
      'grouped write failed as a whole; redoing its items one by one',
    );
    const sizes = (await metrics.writeBatchSize.get()).values.find(
      (v) => (v as { metricName?: string }).metricName === 'alertline_write_batch_size_count',
    );
    expect(sizes?.value).toBe(1);
  });
});
