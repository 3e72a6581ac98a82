package main

// vocabulary is what the read benchmark's art names and descriptions are made
// of, most frequent first: the catalog draws word i with a probability that
// falls with i, and the `q` shape searches for words the same way. Words are
// four letters or more; a few contain another (light in moonlight), as in any
// text, so a search for one matches a little more than the arts that use it.
var vocabulary = []string{
	"painting", "light", "portrait", "morning", "garden", "river", "study", "silence",
	"window", "mountain", "shadow", "evening", "forest", "ocean", "flower", "harbor",
	"winter", "summer", "autumn", "spring", "figure", "still", "bridge", "village",
	"street", "horizon", "meadow", "island", "dream", "memory", "journey", "abstract",
	"colour", "texture", "canvas", "paper", "charcoal", "watercolor", "acrylic", "pastel",
	"sketch", "etching", "woodcut", "collage", "ceramic", "bronze", "marble", "glass",
	"velvet", "linen", "golden", "silver", "crimson", "indigo", "amber", "violet",
	"scarlet", "ivory", "cobalt", "ochre", "umber", "sienna", "emerald", "turquoise",
	"quiet", "bright", "gentle", "fading", "broken", "hidden", "distant", "tender",
	"restless", "ancient", "modern", "urban", "rural", "coastal", "northern", "southern",
	"eastern", "western", "lonely", "crowded", "empty", "burning", "frozen", "floating",
	"falling", "rising", "sleeping", "waking", "dancing", "singing", "waiting", "walking",
	"cathedral", "lighthouse", "orchard", "vineyard", "desert", "canyon", "glacier", "valley",
	"market", "station", "factory", "kitchen", "library", "theater", "balcony", "courtyard",
	"staircase", "doorway", "rooftop", "alley", "pier", "lagoon", "marsh", "prairie",
	"sunflower", "orchid", "tulip", "lotus", "cherry", "maple", "willow", "cypress",
	"sparrow", "heron", "falcon", "raven", "swallow", "salmon", "whale", "tiger",
	"horse", "rabbit", "crane", "deer", "butterfly", "dragonfly", "beetle", "spider",
	"mother", "father", "sister", "brother", "child", "stranger", "dancer", "sailor",
	"farmer", "soldier", "musician", "painter", "poet", "gardener", "fisherman", "weaver",
	"thunder", "lightning", "rainfall", "snowfall", "sunrise", "sunset", "twilight", "midnight",
	"moonlight", "starlight", "daybreak", "nightfall", "tide", "current", "breeze", "tempest",
	"geometry", "rhythm", "harmony", "balance", "tension", "motion", "stillness", "echo",
	"fragment", "surface", "layer", "contour", "gesture", "pattern", "symmetry", "contrast",
	"reflection", "illusion", "vision", "longing", "solitude", "devotion", "wonder", "grief",
	"mirror", "lantern", "teacup", "vessel", "basket", "ribbon", "feather", "compass",
	"anchor", "kite", "violin", "piano", "trumpet", "drum", "clock", "candle",
	"seoul", "busan", "kyoto", "paris", "venice", "lisbon", "prague", "havana",
	"nocturne", "elegy", "sonata", "ballad", "fable", "legend", "chronicle", "letter",
	"triptych", "diptych", "monotype", "lithograph", "gouache", "tempera", "fresco", "mosaic",
	"porcelain", "lacquer", "indigenous", "folkloric", "baroque", "gothic", "cubist", "minimal",
}

// schools are the fixture members' schools, for the member pages.
var schools = []string{"Hongik University", "Seoul National University", "Ewha Womans University", "Korea National University of Arts", ""}
