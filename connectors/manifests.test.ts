// The manifests the editor renders forms from and flow validation checks inputs against: every built-in connector's
// (and the example plugin's) manifest is plain JSON, and stays the JSON Schema it was when the actions were written by
// hand (`__snapshots__/manifests.json`, recorded before the conversion to TypeBox). A change to a schema shows here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinConnectors } from './builtin.js';
import weather from './examples/confluo-connector-weather/index.js';

const recorded = JSON.parse(readFileSync(new URL('./__snapshots__/manifests.json', import.meta.url), 'utf8')) as Array<{
  id: string;
}>;
const manifests = [...builtinConnectors(), weather].map((c) => c.manifest);

describe('connector manifests', () => {
  it('are the recorded ones, connector by connector', () => {
    expect(manifests.map((m) => m.id)).toEqual(recorded.map((m) => m.id));
    for (const [i, m] of manifests.entries()) expect(m, m.id).toEqual(recorded[i]);
  });

  it('are plain JSON: a JSON round trip changes nothing', () => {
    for (const m of manifests) expect(JSON.parse(JSON.stringify(m))).toStrictEqual(m);
  });
});
