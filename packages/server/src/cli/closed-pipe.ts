/**
 * `mandate audit tail -f | head -1`: once the reader has gone, the next write to stdout fails
 * with EPIPE (Node ignores SIGPIPE), and an unhandled stream error would end the process with
 * a stack trace and exit code 1. Nobody is left to read the output, so the command has done
 * what was asked of it: it ends at once, quietly, with 0.
 */
export function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
