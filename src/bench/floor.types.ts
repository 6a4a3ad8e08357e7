// The messages between the benchmark and its floor workers (child processes, so that each floor runs in
// processes of its own, as the pipeline's roles do).

export type FloorMode = 'kafka-consume' | 'pg-insert' | 'bull-process' | 'bull-add' | 'http-send';

export interface FloorJob {
  mode: FloorMode;
  /** Items this worker handles (producers), or 0 for consumers that run until told to stop. */
  items: number;
  concurrency: number;
  kafka?: { brokers: string[]; topic: string; groupId: string };
  pg?: { url: string; batch: number };
  bull?: { redisUrl: string; prefix: string; queue: string; batch: number };
  http?: { baseUrl: string; accountSid: string; authToken: string; from: string; timeoutMs: number };
}

/** Progress from a worker: items done, and when the work began and last moved (epoch ms). */
export interface FloorProgress {
  type: 'progress' | 'done';
  items: number;
  startedAt: number;
  lastAt: number;
}

export type ReportProgress = (p: Omit<FloorProgress, 'type'>, done?: boolean) => void;
