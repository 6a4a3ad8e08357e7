import { readFileSync } from 'node:fs';
import path from 'node:path';

// One Node version, named in .nvmrc: the engines, the image and the fetch script must agree with it, and
// the suite itself runs on it (npm test puts deploy/node.sh's Node first in PATH).
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('the project Node version', () => {
  const version = read('.nvmrc').trim();
  const major = version.split('.')[0];

  it('is an LTS line, pinned to a full version', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    // Even majors become LTS; 24 is supported until April 2028.
    expect(Number(major) % 2).toBe(0);
  });

  it('is the one package.json engines, the Dockerfile and deploy/node.sh name', () => {
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe(
      `^${major}`,
    );
    const froms = [...read('Dockerfile').matchAll(/^FROM node:(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    expect(new Set(froms)).toEqual(new Set([`${version}-slim`]));
    const pinned = [...read('deploy/node.sh').matchAll(/^\s+([\d.]+)\/linux-(x64|arm64)\) echo 'sha512-/gm)];
    expect(pinned.map((m) => `${m[1]}/${m[2]}`).sort()).toEqual([`${version}/arm64`, `${version}/x64`]);
  });

  it('runs this suite', () => {
    expect(process.versions.node.split('.')[0]).toBe(major);
  });
});
