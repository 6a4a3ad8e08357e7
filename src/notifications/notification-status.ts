// The status vocabulary lives in common/ so metrics/ (below database/ and notifications/) can name it
// without a folder cycle; this path stays so the many importers of notifications/ keep working.
export * from '../common/notification-status';
