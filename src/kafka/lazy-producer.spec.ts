import type { Producer } from 'kafkajs';
import type { KafkaClient } from './kafka.client';
import { LazyProducer } from './lazy-producer';

function fakeClient(connects: Array<() => Promise<void>>) {
  const made: Producer[] = [];
  const client = {
    kafka: {
      producer: () => {
        const producer = { connect: connects[made.length], disconnect: jest.fn() } as unknown as Producer;
        made.push(producer);
        return producer;
      },
    },
  } as unknown as KafkaClient;
  return { client, made };
}

describe('LazyProducer', () => {
  it('connects once for every call after it', async () => {
    const { client, made } = fakeClient([() => Promise.resolve()]);
    const lazy = new LazyProducer(client, {});
    const [a, b] = await Promise.all([lazy.connected(), lazy.connected()]);
    expect(a).toBe(b);
    expect(made).toHaveLength(1);
    await lazy.disconnect();
    expect(made[0].disconnect).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed connect, so the next call connects anew', async () => {
    const { client, made } = fakeClient([
      () => Promise.reject(new Error('broker down')),
      () => Promise.resolve(),
    ]);
    const lazy = new LazyProducer(client, {});
    await expect(lazy.connected()).rejects.toThrow('broker down');
    await expect(lazy.connected()).resolves.toBe(made[1]);
    expect(made).toHaveLength(2);
  });

  it('disconnects nothing when it never connected', async () => {
    await expect(new LazyProducer(fakeClient([]).client, {}).disconnect()).resolves.toBeUndefined();
  });
});
