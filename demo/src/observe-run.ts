import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Logger } from '@service-jwt/core';
import { INSTRUMENTATION_SCOPE, instrumentServiceJwt } from '@service-jwt/opentelemetry';
import type { ServiceLogs } from './clock.js';

// `pnpm demo -- --observe`: every service logs to a shared buffer (pino-style JSON lines), and
// @service-jwt/opentelemetry records into an OpenTelemetry SDK meter provider; both are
// printed after the table, as an operator would see them.

class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Logs and metrics of one observed demo run. */
export interface ObservedRun {
  readonly logs: ServiceLogs;
  report(write: (line: string) => void): Promise<void>;
}

export function observeRun(): ObservedRun {
  const lines: string[] = [];
  const logs: ServiceLogs = (service) => {
    const at =
      (level: string) =>
      (fields: Record<string, unknown>, message: string): void => {
        lines.push(JSON.stringify({ level, service, msg: message, ...fields }));
      };
    const logger: Logger = {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
    };
    return logger;
  };
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = instrumentServiceJwt({ meterProvider });
  return {
    logs,
    async report(write) {
      write(`Log lines of the services (${lines.length}):`);
      for (const line of lines) write(`  ${line}`);
      write('');
      write('Metrics recorded by @service-jwt/opentelemetry:');
      const { resourceMetrics } = await reader.collect();
      for (const scope of resourceMetrics.scopeMetrics) {
        if (scope.scope.name !== INSTRUMENTATION_SCOPE) continue;
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints) {
            const attributes = Object.entries(point.attributes)
              .map(([name, value]) => `${name}=${String(value)}`)
              .join(' ');
            const value =
              metric.dataPointType === DataPointType.HISTOGRAM
                ? (() => {
                    const h = point.value as { count: number; sum?: number };
                    return `count ${h.count} sum ${((h.sum ?? 0) * 1000).toFixed(2)} ms`;
                  })()
                : String(point.value);
            write(`  ${metric.descriptor.name}{${attributes}} ${value}`);
          }
        }
      }
      instrumentation.disable();
      await meterProvider.shutdown();
    },
  };
}
