import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StopWaiting, waitFor } from '../../src/devstack/wait-for';
import { K8sObject, ROOT } from './k8s-manifests';

/**
 * The first container of a rendered Deployment run on this machine as its pod spec says: as the pod's
 * runAsUser/runAsGroup with no supplementary groups, the whole root filesystem read-only when the
 * container says readOnlyRootFilesystem, and a tmpfs at each emptyDir mount. A private mount namespace
 * (unshare -m, as root) keeps all of that to the process: the read-only flag is set on the namespace's own
 * copy of the root mount, so the machine's stays writable. The checkout is bound at APP_DIR first (the
 * image's code directory), read-only like the root: a checkout under /tmp (CI clones to /tmp/ci) would
 * otherwise vanish under the pod's /tmp emptyDir.
 */
/**
 * The ENTRYPOINT of the Dockerfile stage an image is built from: `alertline-sandbox` is the `sandbox`
 * target, `alertline` the default `runtime` one.
 */
export function imageEntrypoint(image: string): string[] {
  const stage = image.split(':')[0] === 'alertline-sandbox' ? 'sandbox' : 'runtime';
  let current = '';
  for (const line of readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) current = from[1];
    const entry = /^ENTRYPOINT\s+(\[.*\])/.exec(line);
    if (entry && current === stage) return JSON.parse(entry[1]) as string[];
  }
  throw new Error(`Dockerfile: no ENTRYPOINT in stage ${stage}`);
}

/** An empty directory every Debian machine has, standing in for the image's /app. */
export const APP_DIR = '/srv';

export class PodProcess {
  private child?: ChildProcess;
  private exitCode: number | null = null;
  private readonly logs: string[] = [];

  constructor(
    private readonly deployment: K8sObject,
    private readonly env: Record<string, string>,
    /** Where it listens here: the container port, moved off the fixed ports the demo may hold. */
    private readonly port: number,
  ) {}

  private get pod() {
    return this.deployment.spec.template.spec;
  }

  private get container() {
    return this.pod.containers[0];
  }

  get name(): string {
    return this.deployment.metadata.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The shell that sets the mounts up, then becomes the container's command. */
  private wrap(command: string[]): string[] {
    const ctx = { ...this.pod.securityContext, ...this.container.securityContext };
    const emptyDirs = new Set(
      (this.pod.volumes ?? []).filter((v: any) => v.emptyDir).map((v: any) => v.name as string),
    );
    const steps = ['mount --make-rprivate /', `mount --bind ${ROOT} ${APP_DIR}`];
    if (ctx.readOnlyRootFilesystem) {
      steps.push(`mount -o remount,bind,ro ${APP_DIR}`, 'mount -o remount,bind,ro /');
    }
    for (const m of this.container.volumeMounts ?? []) {
      if (emptyDirs.has(m.name)) steps.push(`mount -t tmpfs -o size=64m tmpfs ${m.mountPath}`);
    }
    steps.push(`cd ${APP_DIR}`);
    const user = ['setpriv', `--reuid=${ctx.runAsUser}`, `--regid=${ctx.runAsGroup}`, '--clear-groups'];
    if (ctx.allowPrivilegeEscalation === false) user.push('--no-new-privs');
    const exec = `exec ${[...user, '--', ...command].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
    return ['-m', 'bash', '-c', [...steps, exec].join(' && ')];
  }

  /** The image's entrypoint (from the Dockerfile stage it is built from) with the container's args. */
  async start(readyTimeoutMs: number): Promise<void> {
    const child = spawn(
      'unshare',
      this.wrap([...imageEntrypoint(this.container.image), ...(this.container.args ?? [])]),
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.logs.push(chunk.toString('utf8'));
      if (this.logs.length > 500) this.logs.splice(0, 250);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 0);
    });
    const probe = this.container.readinessProbe.httpGet;
    await waitFor(
      `${this.name} ready on ${probe.path}`,
      async () => {
        if (this.exitCode !== null)
          throw new StopWaiting(`${this.name} exited with ${this.exitCode}:\n${this.output}`);
        return (await fetch(`http://127.0.0.1:${this.port}${probe.path}`)).ok;
      },
      readyTimeoutMs,
      200,
    ).catch((err: unknown) => {
      if (err instanceof StopWaiting) throw err;
      throw new Error(`${(err as Error).message}\n${this.output}`);
    });
  }

  /** Real and effective uid and gid of the running process, from /proc. */
  ids(): { uid: number[]; gid: number[]; groups: string } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const field = (name: string) =>
      /^(\w+):\s*(.*)$/m.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '')?.[2] ?? '';
    return {
      uid: field('Uid:').split(/\s+/).map(Number),
      gid: field('Gid:').split(/\s+/).map(Number),
      groups: field('Groups:').trim(),
    };
  }

  /** Mount point to its options as the process sees them (the last mount on a point is the one in use). */
  mounts(): Map<string, { type: string; options: string[] }> {
    const out = new Map<string, { type: string; options: string[] }>();
    for (const line of readFileSync(`/proc/${this.pid}/mountinfo`, 'utf8').trim().split('\n')) {
      // id parent major:minor root mountpoint options [optional fields] - type source super-options
      const [left, right] = line.split(' - ');
      const fields = left.split(' ');
      out.set(fields[4], { type: right.split(' ')[0], options: fields[5].split(',') });
    }
    return out;
  }

  /** The container's preStop command, in the same user and filesystem, as the kubelet runs it. */
  preStop(timeoutMs: number): number | null {
    const command = this.container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    if (!command) return 0;
    const run = spawnSync('unshare', this.wrap(command), {
      env: { PATH: process.env.PATH ?? '' },
      timeout: timeoutMs,
    });
    return run.status;
  }

  /** SIGTERM, then the exit code, or null if it was still running after `timeoutMs` (killed then). */
  async terminate(timeoutMs: number): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== null) return this.exitCode;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      child.kill('SIGKILL');
      await exited;
      return null;
    }
    return this.exitCode;
  }

  get output(): string {
    return this.logs.join('').slice(-3000);
  }
}
