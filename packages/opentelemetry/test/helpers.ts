import { type Attributes, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { RequestLike } from '@service-jwt/core';
import { INSTRUMENTATION_SCOPE } from '../src/index.js';

export const AUDIENCE = 'https://census.test/';

/** A reader the test collects on demand (no timer): what an exporter would be handed. */
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** A real OpenTelemetry SDK: a meter provider read on demand and in-memory spans. */
export interface Telemetry {
  readonly meterProvider: MeterProvider;
  /** Runs `fn` inside an active span named `name`, ends it, returns what `fn` returned. */
  inSpan<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** The metrics of this package's scope, as the SDK exports them now. */
  collect(): Promise<MetricData[]>;
  finishedSpans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function createTelemetry(): Telemetry {
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = tracerProvider.getTracer('test-http-server');
  return {
    meterProvider,
    inSpan: (name, fn) =>
      tracer.startActiveSpan(name, async (span) => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      }),
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
      return resourceMetrics.scopeMetrics
        .filter((scope) => scope.scope.name === INSTRUMENTATION_SCOPE)
        .flatMap((scope) => scope.metrics);
    },
    finishedSpans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** Makes `trace.getActiveSpan()` work across awaits, as an SDK's start-up does. */
export function useAsyncContext(): void {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
}

/** The data points of metric `name`, or `[]` when the SDK exported none. */
export function pointsOf<T = number>(metrics: readonly MetricData[], name: string): DataPoint<T>[] {
  const metric = metrics.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as DataPoint<T>[];
}

/** The value of the point of metric `name` whose attributes are exactly `attributes`. */
export function pointValue<T = number>(
  metrics: readonly MetricData[],
  name: string,
  attributes: Attributes,
): T | undefined {
  return pointsOf<T>(metrics, name).find((point) => sameAttributes(point.attributes, attributes))
    ?.value;
}

export function histogramOf(
  metrics: readonly MetricData[],
  name: string,
  attributes: Attributes,
): Histogram | undefined {
  return pointValue<Histogram>(metrics, name, attributes);
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** A GET carrying `token` as a bearer token. */
export function bearer(token: string): RequestLike {
  return { method: 'GET', url: '/orders', headers: { authorization: `Bearer ${token}` } };
}

/** Everything the SDK would export, as text: to prove what never appears in it. */
export async function exportedText(telemetry: Telemetry): Promise<string> {
  const metrics = await telemetry.collect();
  const spans = telemetry.finishedSpans().map((span) => ({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
  }));
  return JSON.stringify({ metrics, spans });
}
