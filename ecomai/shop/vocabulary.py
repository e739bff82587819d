"""The words the demo shop is made of: categories, brands, colours, people's names and
description templates.

Kept apart from the generator's logic so the logic stays short and the wording can be
edited without touching it. Everything here is invented; the brands are not real.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryWords:
    """What the generator needs to invent products of one category.

    Attributes:
        nouns: (name noun, description phrase) pairs, e.g. ("Running Shoes", "pair of
            running shoes"); the phrase reads well after "a" or "this".
        models: invented model names that start a product name.
        sizes: sizes every product of this category comes in; empty means one size.
        price_range: lowest and highest price in whole currency units.
        materials, features, uses: slot fillers for the description templates.
        extras: second sentences (care, fit, warranty) so descriptions differ more.
    """

    nouns: tuple[tuple[str, str], ...]
    models: tuple[str, ...]
    sizes: tuple[str, ...]
    price_range: tuple[int, int]
    materials: tuple[str, ...]
    features: tuple[str, ...]
    uses: tuple[str, ...]
    extras: tuple[str, ...]


CLOTHING_SIZES = ("XS", "S", "M", "L", "XL", "XXL")

CATEGORIES: dict[str, CategoryWords] = {
    "shoes": CategoryWords(
        nouns=(("Running Shoes", "pair of running shoes"), ("Sneakers", "pair of sneakers"),
               ("Trail Shoes", "pair of trail shoes"), ("Loafers", "pair of loafers"),
               ("Ankle Boots", "pair of ankle boots"), ("Sandals", "pair of sandals")),
        models=("Trailrunner", "Swiftstep", "Cloudpace", "Metro", "Ridgeline", "Harbor",
                "Sprintline", "Nomad", "Featherlite", "Summit", "Courtside", "Driftwood"),
        sizes=("38", "39", "40", "41", "42", "43", "44", "45", "46"),
        price_range=(45, 170),
        materials=("breathable mesh", "full-grain leather", "suede", "recycled knit", "waxed canvas"),
        features=("a cushioned foam midsole", "a grippy rubber outsole", "a padded heel collar",
                  "a removable memory-foam insole", "reflective heel details"),
        uses=("daily runs", "city walking", "weekend hikes", "long days on your feet", "the gym"),
        extras=("They run true to size; if you are between sizes, go half a size up.",
                "Wipe clean with a damp cloth and let dry away from direct heat.",
                "The outsole is tested for 800 km of wear.",
                "Comes with a spare pair of laces."),
    ),
    "t-shirts": CategoryWords(
        nouns=(("T-Shirt", "t-shirt"), ("Crew Neck Tee", "crew neck tee"), ("V-Neck Tee", "v-neck tee"),
               ("Graphic Tee", "graphic tee"), ("Polo Shirt", "polo shirt"), ("Long Sleeve Tee", "long sleeve tee")),
        models=("Everyday", "Basecamp", "Coastline", "Studio", "Heritage", "Sunday", "Loop",
                "Meadow", "Classic", "Drift", "Prime", "Atlas"),
        sizes=CLOTHING_SIZES,
        price_range=(12, 45),
        materials=("organic cotton", "soft jersey cotton", "a cotton-modal blend", "slub cotton", "pique cotton"),
        features=("a relaxed fit", "reinforced shoulder seams", "a tagless neckline", "a garment-dyed finish",
                  "a slightly longer back hem"),
        uses=("everyday wear", "layering", "warm summer days", "travel", "lounging at home"),
        extras=("Machine wash cold with similar colours.", "Pre-shrunk, so the fit stays the same after washing.",
                "The model is 1.85 m tall and wears size M.", "Made in a factory powered by renewable energy."),
    ),
    "jeans": CategoryWords(
        nouns=(("Slim Jeans", "pair of slim-fit jeans"), ("Straight Jeans", "pair of straight-leg jeans"),
               ("Relaxed Jeans", "pair of relaxed-fit jeans"), ("Skinny Jeans", "pair of skinny jeans"),
               ("Bootcut Jeans", "pair of bootcut jeans")),
        models=("Denver", "Indigo", "Foundry", "Rivet", "Canyon", "Selvedge", "Union", "Dockside",
                "Westend", "Roadster"),
        sizes=("28", "29", "30", "31", "32", "33", "34", "36", "38"),
        price_range=(40, 130),
        materials=("stretch denim", "rigid selvedge denim", "organic cotton denim", "recycled denim",
                   "lightweight comfort denim"),
        features=("a mid-rise waist", "copper rivets", "a button fly", "deep front pockets", "a faded wash"),
        uses=("everyday wear", "casual Fridays", "weekend outings", "travel", "all-day comfort"),
        extras=("Wash inside out to keep the colour rich.", "Inseam is 32 inches; we hem for free on request.",
                "The denim softens and shapes to you with wear.", "Sizes refer to waist measurement in inches."),
    ),
    "jackets": CategoryWords(
        nouns=(("Rain Jacket", "rain jacket"), ("Puffer Jacket", "puffer jacket"), ("Denim Jacket", "denim jacket"),
               ("Bomber Jacket", "bomber jacket"), ("Fleece Jacket", "fleece jacket"), ("Parka", "parka")),
        models=("Stormguard", "Northwind", "Alpine", "Harbour", "Glacier", "Skyline", "Tundra", "Breaker",
                "Ember", "Highland", "Voyager", "Fjord"),
        sizes=CLOTHING_SIZES,
        price_range=(60, 260),
        materials=("a waterproof shell", "recycled down", "brushed fleece", "washed denim", "ripstop nylon"),
        features=("taped seams", "an adjustable hood", "zipped hand pockets", "a packable design",
                  "a two-way front zip"),
        uses=("rainy commutes", "cold winter mornings", "hiking trips", "city evenings", "camping weekends"),
        extras=("Rated waterproof to 10,000 mm.", "Packs into its own pocket for travel.",
                "Cut with room for a sweater underneath.", "Wash at 30 degrees and tumble dry low to restore loft."),
    ),
    "dresses": CategoryWords(
        nouns=(("Midi Dress", "midi dress"), ("Maxi Dress", "maxi dress"), ("Wrap Dress", "wrap dress"),
               ("Shirt Dress", "shirt dress"), ("Summer Dress", "summer dress")),
        models=("Riviera", "Magnolia", "Solstice", "Amalfi", "Juniper", "Celeste", "Marigold", "Sienna",
                "Willow", "Lucia"),
        sizes=("XS", "S", "M", "L", "XL"),
        price_range=(35, 150),
        materials=("flowing viscose", "linen", "a cotton poplin", "soft crepe", "a floral print chiffon"),
        features=("a tie waist", "hidden side pockets", "a flattering V-neck", "puff sleeves", "a tiered skirt"),
        uses=("summer weddings", "office days", "holidays", "dinner dates", "garden parties"),
        extras=("Fully lined, so it is not see-through.", "Hand wash or use the delicate cycle.",
                "Length from shoulder is about 120 cm in size M.", "Pairs well with sandals or ankle boots."),
    ),
    "bags": CategoryWords(
        nouns=(("Backpack", "backpack"), ("Tote Bag", "tote bag"), ("Crossbody Bag", "crossbody bag"),
               ("Duffel Bag", "duffel bag"), ("Laptop Bag", "laptop bag")),
        models=("Commuter", "Wanderer", "Metro", "Weekender", "Transit", "Daytrip", "Atlas", "Nomad",
                "Carryall", "Scout"),
        sizes=(),
        price_range=(25, 190),
        materials=("water-resistant nylon", "vegetable-tanned leather", "heavy cotton canvas",
                   "recycled polyester", "vegan leather"),
        features=("a padded 15-inch laptop sleeve", "an adjustable strap", "a hidden anti-theft pocket",
                  "YKK zips", "a luggage pass-through"),
        uses=("daily commutes", "weekend trips", "business travel", "campus life", "the gym"),
        extras=("Holds about 20 litres.", "Backed by a two-year warranty on zips and seams.",
                "Spot clean only.", "Fits under most airline seats as a personal item."),
    ),
    "watches": CategoryWords(
        nouns=(("Chronograph Watch", "chronograph watch"), ("Smartwatch", "smartwatch"), ("Dive Watch", "dive watch"),
               ("Field Watch", "field watch"), ("Minimalist Watch", "minimalist watch")),
        models=("Meridian", "Horizon", "Pulse", "Regatta", "Vanguard", "Tempo", "Orbit", "Kestrel",
                "Apex", "Lumen"),
        sizes=(),
        price_range=(60, 420),
        materials=("a brushed steel case", "a titanium case", "sapphire crystal glass", "a silicone strap",
                   "an Italian leather strap"),
        features=("100 m water resistance", "a seven-day battery", "luminous hands", "heart-rate tracking",
                  "a quick-release strap"),
        uses=("everyday wear", "swimming", "workouts", "the office", "outdoor adventures"),
        extras=("Comes with a two-year warranty.", "Fits wrists from 14 to 21 cm.",
                "Arrives in a gift box.", "Compatible with iPhone and Android."),
    ),
    "headphones": CategoryWords(
        nouns=(("Wireless Headphones", "pair of wireless headphones"),
               ("Noise-Cancelling Headphones", "pair of noise-cancelling headphones"),
               ("Earbuds", "set of true wireless earbuds"), ("Sports Earbuds", "set of sports earbuds"),
               ("Studio Headphones", "pair of studio headphones")),
        models=("Soundwave", "Echo", "Quietline", "Bassline", "Aria", "Tempo", "Nimbus", "Resonance",
                "Pulse", "Halo"),
        sizes=(),
        price_range=(25, 350),
        materials=("memory-foam ear cushions", "a lightweight aluminium frame", "soft silicone tips",
                   "a foldable design", "a sweat-resistant shell"),
        features=("active noise cancelling", "30 hours of battery life", "Bluetooth 5.3 multipoint",
                  "a built-in microphone for calls", "fast USB-C charging"),
        uses=("commuting", "long flights", "workouts", "home office calls", "music production"),
        extras=("Ten minutes of charging gives three hours of play.", "Includes a carry case and USB-C cable.",
                "Works with voice assistants.", "Covered by a one-year warranty."),
    ),
    "kitchen": CategoryWords(
        nouns=(("Chef's Knife", "chef's knife"), ("Frying Pan", "frying pan"), ("Kettle", "electric kettle"),
               ("Coffee Grinder", "coffee grinder"), ("Blender", "blender"), ("Cutting Board", "cutting board"),
               ("Dutch Oven", "dutch oven")),
        models=("Bistro", "Hearth", "Copperline", "Artisan", "Provence", "Cucina", "Oakhouse", "Gourmet",
                "Fieldstone", "Larder"),
        sizes=(),
        price_range=(15, 210),
        materials=("German stainless steel", "enamelled cast iron", "solid acacia wood",
                   "a non-stick ceramic coating", "brushed stainless steel"),
        features=("a comfortable ergonomic handle", "induction-ready base", "a 1.7 litre capacity",
                  "dishwasher-safe parts", "precise temperature control"),
        uses=("weeknight dinners", "morning coffee", "batch cooking", "weekend baking", "entertaining guests"),
        extras=("Hand wash to keep it looking new.", "Covered by a five-year warranty.",
                "Suitable for all hob types.", "Makes a great housewarming gift."),
    ),
    "bedding": CategoryWords(
        nouns=(("Duvet Cover", "duvet cover"), ("Sheet Set", "sheet set"), ("Pillow", "pillow"),
               ("Throw Blanket", "throw blanket"), ("Quilt", "quilt")),
        models=("Cloudrest", "Serene", "Moonlight", "Haven", "Nordic", "Lullaby", "Featherdown", "Calm",
                "Dreamweave", "Linenhouse"),
        sizes=("Single", "Double", "Queen", "King"),
        price_range=(25, 190),
        materials=("stonewashed linen", "400-thread-count cotton sateen", "brushed cotton flannel",
                   "breathable bamboo lyocell", "chunky cotton knit"),
        features=("hidden button closures", "deep-pocket fitted sheets", "a hypoallergenic fill",
                  "corner ties to hold the duvet in place", "a soft washed finish"),
        uses=("warm summer nights", "cosy winter evenings", "the guest room", "restful sleep", "sensitive skin"),
        extras=("Machine washable at 40 degrees.", "OEKO-TEX certified.", "Gets softer with every wash.",
                "Check your mattress size before ordering."),
    ),
}

BRANDS = ("Northwind", "Velora", "Kestrel & Co", "Brightloom", "Urbanfox", "Solace", "Ironbark",
          "Pinegrove", "Lumen Labs", "Arcadia", "Tidewater", "Copperleaf", "Nordhaven", "Zephyr", "Marlow")

COLOURS = ("black", "white", "navy", "blue", "red", "green", "grey", "beige", "brown", "pink", "yellow", "olive")

ADJECTIVES = ("modern", "refined", "no-fuss", "bold", "timeless", "lightweight")

DESCRIPTION_TEMPLATES = (
    "A {color} {phrase} from {brand}, made of {material} with {feature}. Great for {use}.",
    "{brand}'s {model} {phrase} combines {material} with {feature}, ideal for {use}.",
    "Designed for {use}, this {color} {phrase} features {feature} and {material}.",
    "The {model} is our {adjective} take on the classic {phrase}: {material}, {feature} and a clean {color} finish.",
    "Built for {use} with {feature}; {material} keeps this {phrase} looking good for years.",
)

FIRST_NAMES = ("Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Mateo", "Sofia", "Elias",
               "Chloe", "Hugo", "Zoe", "Leo", "Nora", "Arjun", "Priya", "Kenji", "Yuki", "Amara",
               "Tariq", "Fatima", "Diego", "Lucia", "Jonas", "Ingrid", "Mehmet", "Aylin", "Kwame", "Nia",
               "Pavel", "Anya", "Sean", "Aoife", "Ravi", "Mei", "Omar", "Leila", "Felix", "Greta")

LAST_NAMES = ("Smith", "Garcia", "Müller", "Rossi", "Dubois", "Kowalski", "Johansson", "Nguyen", "Kim",
              "Patel", "Okafor", "Silva", "Tanaka", "Novak", "Jensen", "O'Brien", "Haddad", "Costa",
              "Schmidt", "Lopez", "Ivanova", "Yilmaz", "Mensah", "Larsen", "Bauer", "Moreau", "Singh",
              "Chen", "Walker", "Fischer", "Sato", "Andersen", "Romero", "Khan", "Brown", "Wilson")
