/** Injection token of the clock schedules are timed with (tests pass a controllable one). */
export const REPORT_SCHEDULE_CLOCK = Symbol('REPORT_SCHEDULE_CLOCK');
export type ReportScheduleClock = () => Date;
