// A counting semaphore: at most `n` holders at once, the rest wait in arrival order.
export interface Slots {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createSlots(n: number): Slots {
  let free = Math.max(1, n);
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next !== undefined) next();
    else free += 1;
  };
  return {
    async run(fn) {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
