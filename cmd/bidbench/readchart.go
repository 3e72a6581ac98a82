package main

import (
	"fmt"
	"os"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// writeReadChart draws answers/s and latency p50 and p99 per shape as
// horizontal bars, the first shape on top, into a PNG at path. The hello
// baseline is in the title rather than a bar: it would dwarf the others.
func writeReadChart(r *readReport, path string) error {
	var shapes []string
	var results []readResult
	for _, res := range r.Results {
		if res.Failure == "" {
			shapes = append(shapes, res.Shape)
			results = append(results, res)
		}
	}
	slices.Reverse(shapes)
	slices.Reverse(results)
	values := func(of func(readResult) float64) plotter.Values {
		v := make(plotter.Values, len(results))
		for i, res := range results {
			v[i] = of(res)
		}
		return v
	}
	throughput, err := horizontalBars(fmt.Sprintf("Answers per second (hello-world baseline: %.0f/s)", r.Baseline.AnswersPerSec),
		"answers/s", shapes, []string{"answers/s"}, []plotter.Values{values(func(res readResult) float64 { return res.AnswersPerSec })})
	if err != nil {
		return err
	}
	latency, err := horizontalBars("Latency (lower is better)", "ms", shapes, []string{"p50", "p99"}, []plotter.Values{
		values(func(res readResult) float64 { return res.Latency.P50 }),
		values(func(res readResult) float64 { return res.Latency.P99 }),
	})
	if err != nil {
		return err
	}
	width, height := 30*vg.Centimeter, vg.Length(4+0.7*float64(len(shapes)))*vg.Centimeter
	img := vgimg.New(width, height)
	plots := [][]*plot.Plot{{throughput, latency}}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3, PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 3}
	canvases := plot.Align(plots, tiles, draw.New(img))
	for i, p := range plots[0] {
		p.Draw(canvases[0][i])
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create read chart: %w", err)
	}
	defer file.Close()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(file); err != nil {
		return fmt.Errorf("write read chart: %w", err)
	}
	return nil
}

// horizontalBars draws one bar per category and series, the series side by side.
func horizontalBars(title, unit string, categories, series []string, values []plotter.Values) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = unit
	p.Legend.Top = false
	p.Legend.Left = false
	barWidth := vg.Millimeter * vg.Length(5/float64(len(series)))
	for i, name := range series {
		bars, err := plotter.NewBarChart(values[i], barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart %q: %w", title, err)
		}
		bars.Horizontal = true
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(i)
		bars.Offset = barWidth * vg.Length(float64(len(series)-1)/2-float64(i))
		p.Add(bars)
		if len(series) > 1 {
			p.Legend.Add(name, bars)
		}
	}
	p.NominalY(categories...)
	p.X.Min = 0
	return p, nil
}
