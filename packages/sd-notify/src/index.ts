export { formatFields, type Notifier, type NotifierOptions, systemdNotifier } from './sd-notify.ts';
export { sendUnixDatagram, unixDatagramAvailable } from './unix-datagram.ts';
