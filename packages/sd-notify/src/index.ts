export { formatFields, type Notifier, type NotifierOptions, systemdNotifier } from './sd-notify.ts';
