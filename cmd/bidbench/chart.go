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

// writeChart draws answered bids/s, accepted bids/s and bid p99 latency,
// grouped by scenario, one bar per strategy and for the raw limit, into a PNG
// at path.
func writeChart(r *report, scenarios []string, path string) error {
	results := slices.Concat(r.RawLimit, r.Results)
	var series []string
	for _, res := range results {
		if !slices.Contains(series, res.Strategy) {
			series = append(series, res.Strategy)
		}
	}
	value := func(strategy, scenario string, of func(scenarioResult) float64) float64 {
		for _, res := range results {
			if res.Strategy == strategy && res.Scenario == scenario {
				return of(res)
			}
		}
		return 0
	}
	answered, err := barPlot("Answered bids per second, accepted or refused (higher is better)", "bids/s", series, scenarios,
		func(s, sc string) float64 {
			return value(s, sc, func(r scenarioResult) float64 { return r.AnsweredPerSec })
		})
	if err != nil {
		return err
	}
	throughput, err := barPlot("Accepted bids per second (higher is better)", "bids/s", series, scenarios,
		func(s, sc string) float64 {
			return value(s, sc, func(r scenarioResult) float64 { return r.AcceptedPerSec })
		})
	if err != nil {
		return err
	}
	latency, err := barPlot("Bid latency p99 (lower is better)", "ms", series, scenarios,
		func(s, sc string) float64 {
			return value(s, sc, func(r scenarioResult) float64 { return r.Latency.P99 })
		})
	if err != nil {
		return err
	}

	const width, height = 24 * vg.Centimeter, 33 * vg.Centimeter
	img := vgimg.New(width, height)
	canvas := draw.New(img)
	plots := [][]*plot.Plot{{answered}, {throughput}, {latency}}
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadX: vg.Millimeter * 3, PadY: vg.Millimeter * 6}
	canvases := plot.Align(plots, tiles, canvas)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create chart: %w", err)
	}
	defer file.Close()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(file); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}

func barPlot(title, unit string, series, scenarios []string, value func(series, scenario string) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = unit
	p.Legend.Top = true
	p.Legend.Left = false
	const barWidth = 9 * vg.Millimeter
	for i, s := range series {
		values := make(plotter.Values, len(scenarios))
		for j, sc := range scenarios {
			values[j] = value(s, sc)
		}
		bars, err := plotter.NewBarChart(values, barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart %q: %w", title, err)
		}
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(i)
		bars.Offset = barWidth * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(bars)
		p.Legend.Add(s, bars)
	}
	p.NominalX(scenarios...)
	// Headroom above the tallest bar for the legend.
	p.Y.Min, p.Y.Max = 0, p.Y.Max*1.4
	return p, nil
}
