export { acknowledge } from '../../../private/nag';
export type { NagAcknowledgement } from '../../../private/nag';
