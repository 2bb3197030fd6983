// The printer calls (contract "Screens in every kitchen"): a station's printer, the list, and a
// cook's reprint of an order. Managers and admins configure; kitchen and managers reprint.
import express, { type Router } from 'express';
import type { RowDataPacket } from 'mysql2/promise';
import { mayUseMerchant } from '../auth/access';
import type { Pool } from '../db/pool';
import { claimsOf, merchantOf, type AuthMiddleware } from '../http/auth';
import { idParam, stationQuery } from '../http/params';
import { jsonBody, requireObjectBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { ENCODINGS, type PrinterEncoding } from './escpos';
import { FIRED_SQL } from './fired';
import { PRINT_MODES, selectPrinters, skipQueuedOfPrinter, upsertPrinter, type PrintMode, type PrinterSpec } from './printers-sql';
import { insertJobs } from './queue-sql';

const STATION = /^[^\p{Cc}]{1,64}$/u;
const HOST = /^[A-Za-z0-9.:-]{1,255}$/;

/** The body of PUT …/printer, checked; a 400 names the first field that is wrong. */
export function parsePrinterSpec(body: unknown): PrinterSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad_request', 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.host !== 'string' || !HOST.test(b.host)) throw new HttpError(400, 'bad_request', 'host must be a host name or an IP address');
  const port = b.port ?? 9100;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new HttpError(400, 'bad_request', 'port must be 1-65535');
  if (!(ENCODINGS as readonly unknown[]).includes(b.encoding)) throw new HttpError(400, 'bad_request', 'encoding must be "GB18030" or "UTF-8"');
  if (!(PRINT_MODES as readonly unknown[]).includes(b.mode)) throw new HttpError(400, 'bad_request', 'mode must be "fallback", "always" or "off"');
  const width = b.width ?? 48;
  if (width !== 32 && width !== 48) throw new HttpError(400, 'bad_request', 'width must be 32 or 48');
  return { host: b.host, port, encoding: b.encoding as PrinterEncoding, mode: b.mode as PrintMode, width };
}

interface ReprintDish extends RowDataPacket {
  item_id: string;
  station: string;
}

/** The order's open fired dishes at stations whose printer is on. */
async function selectReprintDishes(pool: Pool, orderId: string, station: string | undefined): Promise<ReprintDish[]> {
  const [rows] = await pool.query<ReprintDish[]>(
    `SELECT d.item_id, d.station FROM dishes d
       JOIN print_printers p ON p.merchant_id = d.merchant_id AND p.station = d.station AND p.mode <> 'off'
      WHERE d.order_id = ? AND d.state IN ('WAITING', 'READY') AND ${FIRED_SQL} AND (? IS NULL OR d.station = ?)
      ORDER BY d.item_id`,
    [orderId, station ?? null, station ?? null],
  );
  return rows;
}

export function createPrintingRouter(deps: { pool: Pool }): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();

    router.put(
      '/merchants/:merchantId/stations/:station/printer',
      auth.requireRole('manager', 'admin'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        const station = req.params.station ?? '';
        if (!STATION.test(station)) throw new HttpError(400, 'bad_request', 'station must be 1-64 printable characters');
        const spec = parsePrinterSpec(req.body);
        await upsertPrinter(deps.pool, merchantId, station, spec);
        if (spec.mode === 'off') await skipQueuedOfPrinter(deps.pool, merchantId, station);
        const [view] = await selectPrinters(deps.pool, merchantId, station);
        res.json(view);
      }),
    );

    router.get(
      '/merchants/:merchantId/printers',
      auth.requireRole('manager', 'admin'),
      asyncRoute(async (req, res) => {
        res.json(await selectPrinters(deps.pool, merchantOf(req, res)));
      }),
    );

    router.post(
      '/orders/:orderId/print',
      auth.requireRole('kitchen', 'manager'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const orderId = idParam(req, 'orderId');
        const station = stationQuery(req);
        requireObjectBody(req);
        const [orders] = await deps.pool.query<RowDataPacket[]>('SELECT merchant_id FROM orders WHERE order_id = ?', [orderId]);
        const merchantId = orders[0]?.merchant_id as string | undefined;
        if (merchantId === undefined) throw new HttpError(404, 'not_found', `order ${orderId} not found`);
        if (!mayUseMerchant(claimsOf(res), merchantId)) throw new HttpError(403, 'forbidden', 'order of another merchant');
        if (station !== undefined) {
          const printers = await selectPrinters(deps.pool, merchantId, station);
          if (printers.length === 0 || printers[0]?.mode === 'off') {
            throw new HttpError(409, 'no_printer', `station ${station} has no printer switched on`);
          }
        }
        const dishes = await selectReprintDishes(deps.pool, orderId, station);
        const queued = await insertJobs(deps.pool, dishes.map((d) => ({
          merchantId, station: d.station, orderId, itemId: d.item_id, fireKey: null, backup: false, asked: true,
        })));
        res.json({ queued });
      }),
    );
    return router;
  };
}
