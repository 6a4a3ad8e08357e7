// The Bull queue between ingest and the dispatcher. A job carries only the alert id (jobId = alert id):
// Postgres holds everything else, so a lost Redis loses nothing but the schedule.
export const SMS_QUEUE = 'sms';
export const SEND_JOB = 'send';

export interface SendJobData {
  notificationId: string;
}
