/** Local times (performance.now()) of a schedule given in epoch milliseconds. */
export function localTimes(schedule: { warmEndEpochMs: number; endEpochMs: number }): { warmEnd: number; end: number } {
  return { warmEnd: schedule.warmEndEpochMs - performance.timeOrigin, end: schedule.endEpochMs - performance.timeOrigin };
}

export function sleepUntil(localTime: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, localTime - performance.now())));
}
