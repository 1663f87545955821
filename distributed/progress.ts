// Progress of a batch of simulations on stderr: done / total, elapsed time and an ETA from the
// mean time per finished job so far. On a terminal the line is rewritten in place; otherwise
// (CI logs, a test reading stderr) a line is printed at most every few seconds and at the end.
// Trades precision for steadiness: the ETA assumes the remaining jobs cost what the finished ones did.

export interface Progress {
  done(): void;
  finish(): void;
}

export function progressLine(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Progress {
  const start = now();
  let count = 0, lastPrint = -Infinity;
  const tty = stream.isTTY === true;
  const print = (final: boolean) => {
    const elapsed = (now() - start) / 1000;
    const eta = count > 0 && count < total ? `, ETA ${seconds((elapsed / count) * (total - count))}` : "";
    const text = `${label}: ${count}/${total} simulations, ${seconds(elapsed)} elapsed${eta}`;
    if (tty) stream.write(`\r${text}\x1b[K${final ? "\n" : ""}`);
    else stream.write(text + "\n");
    lastPrint = now();
  };
  print(false);
  return {
    done() {
      count++;
      if (count === total) return;
      if (tty ? now() - lastPrint >= 200 : now() - lastPrint >= 3000) print(false);
    },
    finish() {
      print(true);
    },
  };
}

function seconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
