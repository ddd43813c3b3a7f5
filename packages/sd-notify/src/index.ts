export { chrootAvailable, enterChroot, resolveAvailable, resolveHostSync } from './host.ts';
export { formatFields, type Notifier, type NotifierOptions, systemdNotifier } from './sd-notify.ts';
export { DatagramBatch, sendUnixDatagram, unixDatagramAvailable } from './unix-datagram.ts';
export { closeFd, giveSockets, takeSockets } from './xfer.ts';
