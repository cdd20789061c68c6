/** Counts backend calls in flight, for the progress indicator. */
class Busy {
  count = $state(0);
  get active(): boolean {
    return this.count > 0;
  }
  start(): void {
    this.count++;
  }
  end(): void {
    this.count = Math.max(0, this.count - 1);
  }
}

export const busy = new Busy();
