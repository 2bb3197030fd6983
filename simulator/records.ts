// Kafka records for the traffic generator (pure): one per event per order-events.md, plus
// deliberately broken ones so the KDS's quarantine path can be exercised and demonstrated.
import { uuid, type Random } from './prng';
import type { OrderEvent, Step } from './types';

export type FaultKind = 'not_json' | 'missing_fields' | 'key_mismatch' | 'bad_version' | 'wrong_env';

export interface InjectedRecord {
  kind: FaultKind;
  key: string;
  value: string;
  env: string;
}

export interface OutRecord {
  key: string;
  value: string;
  env: string;
  /** The step this record announces; absent for injected faults. */
  step?: Step;
}

export function eventRecord(step: Step, env: string): OutRecord {
  return { key: step.event.orderId, value: JSON.stringify(step.event), env, step };
}

const MALFORMED_KINDS: readonly FaultKind[] = ['not_json', 'missing_fields', 'key_mismatch', 'bad_version'];

export interface FaultOptions {
  /** Records breaking the contract, cycling through not_json, missing_fields, key_mismatch, bad_version. */
  malformed: number;
  /** Well-formed events whose env header names another environment. */
  wrongEnv: number;
  env: string;
  /** Order ids of faults start with this, so they never touch a real generated order. */
  idPrefix: string;
  occurredAt: string;
}

function fakeEvent(r: Random, orderId: string, occurredAt: string): OrderEvent {
  return { eventId: uuid(r), type: 'ORDER_PLACED', orderId, merchantId: 'M0001', version: 1, occurredAt };
}

export function faultRecords(opts: FaultOptions, r: Random): InjectedRecord[] {
  const out: InjectedRecord[] = [];
  const id = (n: number): string => `${opts.idPrefix}${String(n).padStart(6, '0')}`;
  let n = 0;
  for (let i = 0; i < opts.malformed; i++) {
    const kind = MALFORMED_KINDS[i % MALFORMED_KINDS.length] as FaultKind;
    const orderId = id(++n);
    const event = fakeEvent(r, orderId, opts.occurredAt);
    let key = orderId;
    let value: string;
    if (kind === 'not_json') value = `{"eventId":"${event.eventId}","type":ORDER_PLACED`;
    else if (kind === 'missing_fields') value = JSON.stringify({ eventId: event.eventId, orderId, type: event.type });
    else if (kind === 'bad_version') value = JSON.stringify({ ...event, version: 0 });
    else {
      key = id(++n);
      value = JSON.stringify(event);
    }
    out.push({ kind, key, value, env: opts.env });
  }
  const otherEnv = opts.env === 'prod' ? 'pre' : 'prod';
  for (let i = 0; i < opts.wrongEnv; i++) {
    const orderId = id(++n);
    out.push({ kind: 'wrong_env', key: orderId, value: JSON.stringify(fakeEvent(r, orderId, opts.occurredAt)), env: otherEnv });
  }
  return out;
}

/** Inserts the faults at random positions; the records keep their relative order. */
export function mixIn(records: readonly OutRecord[], faults: readonly InjectedRecord[], r: Random): OutRecord[] {
  const positions = faults.map(() => Math.floor(r() * (records.length + 1))).sort((a, b) => a - b);
  const out: OutRecord[] = [];
  let f = 0;
  for (let i = 0; i <= records.length; i++) {
    while (f < faults.length && positions[f] === i) {
      const fault = faults[f++] as InjectedRecord;
      out.push({ key: fault.key, value: fault.value, env: fault.env });
    }
    const rec = records[i];
    if (rec !== undefined) out.push(rec);
  }
  return out;
}
