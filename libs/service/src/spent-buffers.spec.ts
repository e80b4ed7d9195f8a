import { SpentBufferCollector, youngGenerationGc } from './spent-buffers';

describe('SpentBufferCollector', () => {
  it('collects once per `everyBytes` counted, whatever the sizes counted', () => {
    const collect = jest.fn();
    const collector = new SpentBufferCollector(100, collect);
    collector.add(60);
    expect(collect).not.toHaveBeenCalled();
    collector.add(60);
    expect(collect).toHaveBeenCalledTimes(1);
    // The count restarts from zero, not from the overshoot.
    collector.add(99);
    expect(collect).toHaveBeenCalledTimes(1);
    collector.add(250);
    expect(collect).toHaveBeenCalledTimes(2);
  });
});

describe('youngGenerationGc', () => {
  it('frees buffers that are no longer referenced', async () => {
    const gc = youngGenerationGc();
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const before = process.memoryUsage().arrayBuffers;
    // Like socket chunks: 64 KiB each, dropped as soon as they are made.
    for (let i = 0; i < 256; i++) Buffer.allocUnsafeSlow(64 * 1024).fill(i);
    const piled = process.memoryUsage().arrayBuffers - before;
    expect(piled).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    gc();
    // V8 may free the memory on a helper thread; give it a bounded while.
    let left = piled;
    for (let i = 0; i < 200 && left > 1024 * 1024; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      left = process.memoryUsage().arrayBuffers - before;
    }
    expect(left).toBeLessThan(1024 * 1024);
  });
});
