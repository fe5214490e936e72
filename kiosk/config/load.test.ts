import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from './load.ts';
import { kioskConfigJsonSchema } from './schema.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const text = readFileSync(path.join(ROOT, 'kiosk.config.json'), 'utf8');
const base = () => JSON.parse(text) as Record<string, any>;

function problems(json: unknown): string[] {
  try {
    parseConfigText(typeof json === 'string' ? json : JSON.stringify(json), 'kiosk.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe('kiosk.config.json', () => {
  it('the embedded default is valid: every device simulated, the embedded card centre', () => {
    const config = parseConfigText(text, 'kiosk.config.json');
    expect(config.devices.every((d) => d.transport.type === 'simulated')).toBe(true);
    // Its own records beside the config, never in the kiosk's dataDir; any free port on 127.0.0.1.
    expect(config.cardCentre).toEqual({ endpoint: 'embedded', dataDir: './card-centre-data', port: 0 });
  });

  it('names the line and column of a JSON syntax error', () => {
    expect(problems('{\n  "kiosk": {},\n}')).toEqual([expect.stringMatching(/^\(root\): not valid JSON at line 3, column 1/)]);
  });

  it('says what was expected and what was found for a wrong type', () => {
    const config = base();
    config.timeouts.idleSeconds = '60';
    expect(problems(config)).toEqual(['timeouts.idleSeconds: expected number, found "60"']);
  });

  it('lists the device kinds it knows when given an unknown one', () => {
    const config = base();
    config.devices[2].kind = 'toaster';
    expect(problems(config)).toEqual([
      'devices[2].kind: expected one of "id-reader", "card-printer", "chip-encoder", "receipt-printer", "qr-scanner", "staff-card-reader", found "toaster"',
    ]);
  });

  it('reports every problem at once: a missing field, an unknown field, a missing device', () => {
    const config = base();
    delete config.kiosk.id;
    config.colour = 'red';
    config.devices.pop();
    expect(problems(config)).toEqual([
      'kiosk.id: missing (expected string)',
      '(root): unknown field "colour"',
    ]);
    const noScanner = base();
    noScanner.devices = noScanner.devices.filter((d: { kind: string }) => d.kind !== 'qr-scanner');
    expect(problems(noScanner)).toEqual(['devices: expected exactly one "qr-scanner" device, found 0']);
  });

  it('refuses simulated devices and the embedded card centre in production', () => {
    const config = base();
    config.mode = 'production';
    const found = problems(config);
    expect(found).toContain('devices[0].transport.type: expected a real transport in production (simulated devices are for development)');
    expect(found).toContain("cardCentre.endpoint: expected the province's card-centre URL in production (the embedded one is for development)");
  });

  it('refuses a warning that comes after the timeout itself', () => {
    const config = base();
    config.timeouts.idleWarningSeconds = 90;
    expect(problems(config)).toEqual(['timeouts.idleWarningSeconds: expected a number less than idleSeconds']);
  });

  it('exports a JSON Schema that editors can use, and the committed copy is current', () => {
    const schema = kioskConfigJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['kiosk', 'devices', 'cardCentre', 'timeouts', 'dataDir']));
    expect(schema.required).toEqual(expect.arrayContaining(['kiosk', 'devices', 'cardCentre', 'dataDir']));
    const committed = JSON.parse(readFileSync(path.join(ROOT, 'kiosk.config.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
  });
});
