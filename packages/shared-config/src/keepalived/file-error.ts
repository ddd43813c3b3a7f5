/**
 * A sentence for a file that cannot be read, instead of Node's `ENOENT: no such file or directory, open
 * '…'`: what is wrong with it and what to do. `what` names the file's role ("configuration file").
 */
export function unreadableFileSentence(what: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return `${what} ${path} does not exist - check the path (keepalived.conf is given with -f)`;
    case 'EACCES':
    case 'EPERM':
      return `${what} ${path} cannot be read by this user (permission denied) - run as root or make it readable`;
    case 'EISDIR':
      return `${what} ${path} is a directory - name the file itself`;
    case 'ENOTDIR':
      return `${what} ${path}: a part of the path is not a directory - check the path`;
    default:
      return `cannot read ${what} ${path}: ${(err as Error).message}`;
  }
}
