// The summary's chart: per town, the reporting rate and the share of points meeting annex 1, as a
// PNG drawn in the process. ECharts lays the chart out and draws on a Skia canvas
// (@napi-rs/canvas, whose binary comes inside its npm package); the Chinese comes from Noto Sans SC
// as shipped by @fontsource/noto-sans-sc (its simplified-Chinese and Latin subsets, woff2, which
// Skia reads), registered under names of our own so no system font is asked for. Nothing is
// downloaded at run time. Loaded only when a chart is drawn: ECharts and Skia are large.
import { createRequire } from 'node:module';
import type { TownSummary } from './summary.ts';

const FONT_FAMILY = 'GxgcLatin, GxgcHans';
const FONT_FILES = {
  GxgcLatin: '@fontsource/noto-sans-sc/files/noto-sans-sc-latin-400-normal.woff2',
  GxgcHans: '@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff2',
};

let fontsRegistered = false;

async function canvasModule(): Promise<typeof import('@napi-rs/canvas')> {
  const canvas = await import('@napi-rs/canvas');
  if (!fontsRegistered) {
    const require = createRequire(import.meta.url);
    for (const [family, file] of Object.entries(FONT_FILES)) {
      if (!canvas.GlobalFonts.registerFromPath(require.resolve(file), family)) throw new Error(`font ${file} could not be registered`);
    }
    fontsRegistered = true;
  }
  return canvas;
}

export interface ChartInput {
  title: string;
  towns: readonly Pick<TownSummary, 'town' | 'reportingRate' | 'meetingShare'>[];
}

// no bar (and no label) where a rate cannot be computed: no month due yet, no point with a standard
const percent = (r: number | null): number | null => (r === null ? null : Math.round(r * 1000) / 10);

/** Horizontal bars, one pair per town in the order given; the height grows with the towns. */
export async function drawTownChart(input: ChartInput): Promise<Uint8Array> {
  const [{ createCanvas }, echarts, charts, components, renderers] = await Promise.all([
    canvasModule(),
    import('echarts/core'),
    import('echarts/charts'),
    import('echarts/components'),
    import('echarts/renderers'),
  ]);
  echarts.use([charts.BarChart, components.GridComponent, components.LegendComponent, components.TitleComponent, renderers.CanvasRenderer]);
  const width = 900;
  const height = 130 + input.towns.length * 34;
  const canvas = createCanvas(width, height);
  // ECharts measures text on a canvas of its own; without this it would look for a browser's
  echarts.setPlatformAPI({ createCanvas: (() => createCanvas(32, 32)) as unknown as Parameters<typeof echarts.setPlatformAPI>[0]['createCanvas'] });
  const chart = echarts.init(canvas as unknown as Parameters<typeof echarts.init>[0], null, { width, height, devicePixelRatio: 1 });
  try {
    // top to bottom in the order given: ECharts draws the first category at the bottom
    const towns = [...input.towns].reverse();
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT_FAMILY },
      title: { text: input.title, left: 'center', top: 12, textStyle: { fontFamily: FONT_FAMILY, fontSize: 18 } },
      legend: { top: 44, data: ['上报率', '达到附件1标准的服务点占比'], textStyle: { fontFamily: FONT_FAMILY, fontSize: 13 } },
      grid: { left: 110, right: 70, top: 80, bottom: 30 },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%', fontFamily: FONT_FAMILY } },
      yAxis: { type: 'category', data: towns.map((t) => t.town), axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13 } },
      series: [
        { name: '上报率', type: 'bar', data: towns.map((t) => percent(t.reportingRate)), barGap: '10%', label: { show: true, position: 'right', formatter: '{c}%', fontFamily: FONT_FAMILY, fontSize: 11 }, itemStyle: { color: '#3b73c5' } },
        { name: '达到附件1标准的服务点占比', type: 'bar', data: towns.map((t) => percent(t.meetingShare)), label: { show: true, position: 'right', formatter: '{c}%', fontFamily: FONT_FAMILY, fontSize: 11 }, itemStyle: { color: '#e3893b' } },
      ],
    });
    return new Uint8Array(canvas.toBuffer('image/png'));
  } finally {
    chart.dispose();
  }
}
