"""The parse of data/drugs.toml as JSON, for taperline.catalogue_data (generated).

Do not edit: change data/drugs.toml, then run ``python -m taperline.catalogue_data``.
"""

# ruff: noqa: E501 -- generated: a JSON line holds a whole catalogue text

from typing import Final

#: The SHA-256 of the UTF-8 text of data/drugs.toml that :data:`JSON` is the parse of.
TOML_SHA256: Final = "a3e49b8145f44c0263d16d7273f6e8870de88ba51dd5f1e8351bd42ea9f7bd07"
JSON: Final = r"""{
"schema_version": 1,
"withdrawal_risk": {
"significant_use_months": {
"value": 3,
"source": "ASAM-2025",
"note": "use for at least 3 months on at least 4 days a week is a clinically significant risk"
},
"significant_use_days_per_week": {
"value": 4,
"source": "ASAM-2025"
},
"bands": [
{
"name": "low",
"low_mg": "0 mg",
"includes_low": false,
"high_mg": "10 mg",
"includes_high": true,
"effects": "up to 10 mg diazepam equivalent a day (about 0.5 mg clonazepam by Ashton's equivalence)",
"risks": "lower withdrawal risk; a faster taper may be possible after short use",
"source": "ASAM-2025"
},
{
"name": "moderate",
"low_mg": "10 mg",
"includes_low": false,
"high_mg": "15 mg",
"includes_high": true,
"effects": "more than 10 and up to 15 mg diazepam equivalent a day",
"risks": "moderate withdrawal risk",
"source": "ASAM-2025"
},
{
"name": "high",
"low_mg": "15 mg",
"includes_low": false,
"effects": "more than 15 mg diazepam equivalent a day (more than 1.5 mg clonazepam by VA/DoD's equivalence)",
"risks": "high withdrawal risk",
"source": "ASAM-2025"
}
]
},
"classes": [
{
"slug": "opioids",
"name": "opioids",
"singular": "an opioid",
"terms": [
"opioid",
"opiate",
"narcotic painkiller",
"narcotic pain medicine",
"opioid painkiller"
],
"source": "LABEL",
"note": "boxed warning: any opioid, the risk is the class; the names are the common US and UK generics and brands (SEED-MINDED names codeine, methadone, morphine, oxycodone, hydrocodone)",
"members": [
{
"name": "codeine",
"also": [
"Tylenol #3",
"Tylenol 4",
"Tylenol with codeine",
"Tylenol-Codeine",
"co-codamol",
"Tuzistra",
"codeine phosphate",
"Solpadol",
"Kapake",
"Zapain",
"Tylex",
"Solpadeine",
"Solpadeine Plus",
"Solpadeine Max",
"Nurofen Plus",
"Migraleve"
]
},
{
"name": "dihydrocodeine",
"also": [
"co-dydramol",
"DHC Continus",
"Synalgos-DC",
"Paramol"
]
},
{
"name": "hydrocodone",
"also": [
"Vicodin",
"Norco",
"Lortab",
"Lorcet",
"Zohydro",
"Hysingla",
"Hycodan",
"Vicoprofen"
]
},
{
"name": "oxycodone",
"also": [
"OxyContin",
"Percocet",
"Percodan",
"Roxicodone",
"Endocet",
"Xtampza",
"Oxaydo",
"RoxyBond",
"OxyNorm",
"Oxycodone HCl"
]
},
{
"name": "oxymorphone",
"also": [
"Opana"
]
},
{
"name": "morphine",
"also": [
"MS Contin",
"MST Continus",
"Kadian",
"Oramorph",
"Sevredol",
"Zomorph",
"Avinza",
"Arymo"
]
},
{
"name": "hydromorphone",
"also": [
"Dilaudid",
"Exalgo",
"Palladone"
]
},
{
"name": "methadone",
"also": [
"Dolophine",
"Methadose",
"Physeptone"
]
},
{
"name": "buprenorphine",
"also": [
"Suboxone",
"Subutex",
"Zubsolv",
"Sublocade",
"Brixadi",
"Butrans",
"Belbuca",
"Buprenex",
"Temgesic"
]
},
{
"name": "fentanyl",
"also": [
"Duragesic",
"Actiq",
"Fentora",
"Sublimaze",
"Abstral",
"Subsys",
"Lazanda",
"fentanyl patch"
]
},
{
"name": "tramadol",
"also": [
"Ultram",
"Ultracet",
"ConZip",
"Zydol",
"Tramal"
]
},
{
"name": "tapentadol",
"also": [
"Nucynta",
"Palexia"
]
},
{
"name": "meperidine",
"also": [
"pethidine",
"Demerol"
]
},
{
"name": "heroin",
"also": [
"diamorphine"
]
},
{
"name": "levorphanol"
},
{
"name": "butorphanol",
"also": [
"Stadol"
]
},
{
"name": "pentazocine",
"also": [
"Talwin"
]
},
{
"name": "nalbuphine",
"also": [
"Nubain"
]
},
{
"name": "opium",
"also": [
"paregoric",
"laudanum"
]
},
{
"name": "sufentanil",
"also": [
"Dsuvia"
]
},
{
"name": "remifentanil",
"also": [
"Ultiva"
]
},
{
"name": "alfentanil"
},
{
"name": "carfentanil"
}
],
"interaction": {
"applies_to": [
"benzodiazepine"
],
"kind": "cns_depression",
"severity": "major",
"effect": "profound sedation, slowed or stopped breathing, coma and death (boxed warning: every opioid)",
"advice": "do not take them together unless your prescriber planned it; get emergency help for slow or shallow breathing, or if someone cannot be woken",
"source": "LABEL",
"note": "the boxed warning on opioids covers the whole benzodiazepine class; cited from the Klonopin label"
}
},
{
"slug": "gabapentinoids",
"name": "gabapentinoids",
"singular": "a gabapentinoid",
"terms": [
"gabapentinoid"
],
"source": "FDA-GABAPENTINOIDS",
"members": [
{
"name": "gabapentin",
"also": [
"Neurontin",
"Gralise",
"Horizant",
"gabapentin enacarbil"
]
},
{
"name": "pregabalin",
"also": [
"Lyrica"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine",
"z-drug"
],
"kind": "cns_depression",
"severity": "major",
"effect": "serious, even life-threatening breathing problems, especially with other sedatives (FDA warning, 2019)",
"advice": "tell your prescriber you take both; get urgent help for slow or shallow breathing, or unusual sleepiness",
"source": "FDA-GABAPENTINOIDS"
}
},
{
"slug": "benzodiazepines",
"name": "benzodiazepines",
"singular": "a benzodiazepine",
"terms": [
"benzodiazepine",
"benzo",
"benzos"
],
"source": "LABEL",
"note": "other benzodiazepines add to clonazepam's sedation (CNS depressants); the names are the common generics and brands, including every benzodiazepine in this catalogue",
"members": [
{
"name": "clonazepam",
"also": [
"Klonopin",
"Rivotril",
"Klonopin wafers"
]
},
{
"name": "diazepam",
"also": [
"Valium",
"Diastat",
"Valtoco",
"Stesolid"
]
},
{
"name": "lorazepam",
"also": [
"Ativan",
"Loreev"
]
},
{
"name": "alprazolam",
"also": [
"Xanax",
"Xanax XR",
"Niravam"
]
},
{
"name": "temazepam",
"also": [
"Restoril"
]
},
{
"name": "oxazepam",
"also": [
"Serax"
]
},
{
"name": "chlordiazepoxide",
"also": [
"Librium",
"Librax"
]
},
{
"name": "clobazam",
"also": [
"Onfi",
"Sympazan",
"Frisium"
]
},
{
"name": "clorazepate",
"also": [
"Tranxene"
]
},
{
"name": "estazolam",
"also": [
"ProSom"
]
},
{
"name": "flurazepam",
"also": [
"Dalmane"
]
},
{
"name": "midazolam",
"also": [
"Versed",
"Nayzilam",
"Buccolam"
]
},
{
"name": "quazepam",
"also": [
"Doral"
]
},
{
"name": "triazolam",
"also": [
"Halcion"
]
},
{
"name": "nitrazepam",
"also": [
"Mogadon"
]
},
{
"name": "bromazepam",
"also": [
"Lexotan",
"Lexomil"
]
},
{
"name": "flunitrazepam",
"also": [
"Rohypnol"
]
},
{
"name": "lormetazepam"
},
{
"name": "remimazolam",
"also": [
"Byfavo"
]
},
{
"name": "etizolam",
"also": [
"Etilaam"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine",
"z-drug"
],
"kind": "duplicate_therapy",
"severity": "moderate",
"effect": "two sedatives at once (duplicate therapy): more sedation and slower breathing",
"advice": "take both only if your prescriber planned it (for example a crossover to diazepam); tell them about every sedative",
"source": "LABEL",
"note": "the label lists other benzodiazepines and z-drugs among the CNS depressants that add sedation and respiratory depression"
}
},
{
"slug": "z-drugs",
"name": "z-drugs",
"singular": "a z-drug (a sleeping pill)",
"terms": [
"z drug",
"z-drug",
"zdrug"
],
"source": "LABEL",
"note": "the label lists z-drugs among the CNS depressants that add sedation; the names are the common generics and brands, including zolpidem in this catalogue",
"members": [
{
"name": "zolpidem",
"also": [
"Ambien",
"Ambien CR",
"Edluar",
"Intermezzo",
"Stilnox",
"Zolpimist"
]
},
{
"name": "zopiclone",
"also": [
"Imovane",
"Zimovane"
]
},
{
"name": "eszopiclone",
"also": [
"Lunesta"
]
},
{
"name": "zaleplon",
"also": [
"Sonata"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine",
"z-drug"
],
"kind": "duplicate_therapy",
"severity": "moderate",
"effect": "two sedatives at once (duplicate therapy): more sedation, next-day impairment and slower breathing",
"advice": "do not combine sleep medicines unless your prescriber planned it",
"source": "LABEL"
}
},
{
"slug": "barbiturates",
"name": "barbiturates",
"singular": "a barbiturate",
"terms": [
"barbiturate"
],
"source": "LABEL",
"members": [
{
"name": "phenobarbital",
"also": [
"phenobarbitone",
"Luminal"
]
},
{
"name": "butalbital",
"also": [
"Fioricet",
"Fiorinal",
"Esgic"
]
},
{
"name": "pentobarbital",
"also": [
"Nembutal"
]
},
{
"name": "secobarbital",
"also": [
"Seconal"
]
},
{
"name": "amobarbital",
"also": [
"Amytal"
]
},
{
"name": "butabarbital",
"also": [
"Butisol"
]
},
{
"name": "primidone",
"also": [
"Mysoline"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine"
],
"kind": "cns_depression",
"severity": "major",
"effect": "deep sedation and slowed breathing (both are CNS depressants)",
"advice": "take both only under your prescriber's explicit plan; get urgent help for slow or shallow breathing",
"source": "LABEL",
"note": "primidone is turned into phenobarbital in the body"
}
},
{
"slug": "sodium-oxybate",
"name": "sodium oxybate (GHB)",
"singular": "sodium oxybate (GHB)",
"terms": [
"oxybate",
"oxybates"
],
"source": "LABEL",
"members": [
{
"name": "sodium oxybate",
"also": [
"Xyrem",
"Lumryz"
]
},
{
"name": "mixed-salt oxybates",
"also": [
"Xywav",
"calcium magnesium potassium sodium oxybates"
]
},
{
"name": "GHB",
"also": [
"gamma hydroxybutyrate",
"gamma-hydroxybutyric acid",
"GBL",
"gamma butyrolactone"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine"
],
"kind": "cns_depression",
"severity": "major",
"effect": "deep sedation, slowed or stopped breathing and loss of consciousness",
"advice": "do not combine unless your prescriber planned it; get emergency help for slow breathing or if someone cannot be woken",
"source": "LABEL",
"note": "GBL is turned into GHB in the body"
}
},
{
"slug": "sedating-antihistamines",
"name": "sedating antihistamines",
"singular": "a sedating antihistamine",
"terms": [
"sedating antihistamine",
"antihistamine",
"sleep aid antihistamine"
],
"source": "LABEL",
"note": "non-sedating antihistamines (loratadine, cetirizine, fexofenadine) are not listed: ask a pharmacist about them",
"members": [
{
"name": "diphenhydramine",
"also": [
"Benadryl",
"Nytol",
"Sominex",
"ZzzQuil",
"Unisom SleepGels",
"Tylenol PM",
"Advil PM",
"Aleve PM"
]
},
{
"name": "doxylamine",
"also": [
"Unisom",
"Unisom SleepTabs",
"NyQuil",
"Diclegis"
]
},
{
"name": "hydroxyzine",
"also": [
"Atarax",
"Vistaril",
"Ucerax"
]
},
{
"name": "promethazine",
"also": [
"Phenergan"
]
},
{
"name": "chlorphenamine",
"also": [
"chlorpheniramine",
"Chlor-Trimeton",
"Piriton"
]
},
{
"name": "cyproheptadine",
"also": [
"Periactin"
]
},
{
"name": "dimenhydrinate",
"also": [
"Dramamine",
"Gravol"
]
},
{
"name": "meclizine",
"also": [
"Antivert",
"Bonine"
]
},
{
"name": "brompheniramine"
},
{
"name": "carbinoxamine"
},
{
"name": "clemastine",
"also": [
"Tavist"
]
},
{
"name": "triprolidine"
},
{
"name": "cyclizine",
"also": [
"Valoid"
]
},
{
"name": "alimemazine",
"also": [
"trimeprazine"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine"
],
"kind": "cns_depression",
"severity": "moderate",
"effect": "added drowsiness and poorer coordination",
"advice": "avoid sleep aids and allergy medicines that make you drowsy unless your prescriber agrees",
"source": "LABEL"
}
},
{
"slug": "antipsychotics",
"name": "antipsychotics",
"singular": "an antipsychotic",
"terms": [
"antipsychotic",
"neuroleptic",
"major tranquilliser",
"major tranquilizer"
],
"source": "LABEL",
"members": [
{
"name": "quetiapine",
"also": [
"Seroquel",
"Seroquel XR"
]
},
{
"name": "olanzapine",
"also": [
"Zyprexa",
"Symbyax"
]
},
{
"name": "risperidone",
"also": [
"Risperdal",
"Perseris"
]
},
{
"name": "aripiprazole",
"also": [
"Abilify",
"Aristada"
]
},
{
"name": "haloperidol",
"also": [
"Haldol"
]
},
{
"name": "chlorpromazine",
"also": [
"Thorazine",
"Largactil"
]
},
{
"name": "clozapine",
"also": [
"Clozaril"
]
},
{
"name": "ziprasidone",
"also": [
"Geodon"
]
},
{
"name": "lurasidone",
"also": [
"Latuda"
]
},
{
"name": "paliperidone",
"also": [
"Invega"
]
},
{
"name": "asenapine",
"also": [
"Saphris"
]
},
{
"name": "brexpiprazole",
"also": [
"Rexulti"
]
},
{
"name": "cariprazine",
"also": [
"Vraylar"
]
},
{
"name": "lumateperone",
"also": [
"Caplyta"
]
},
{
"name": "iloperidone",
"also": [
"Fanapt"
]
},
{
"name": "perphenazine"
},
{
"name": "fluphenazine"
},
{
"name": "trifluoperazine",
"also": [
"Stelazine"
]
},
{
"name": "thioridazine"
},
{
"name": "loxapine"
},
{
"name": "pimozide",
"also": [
"Orap"
]
},
{
"name": "amisulpride",
"also": [
"Solian"
]
},
{
"name": "sulpiride"
}
],
"interaction": {
"applies_to": [
"benzodiazepine"
],
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation",
"advice": "tell your prescriber you take both",
"source": "LABEL"
}
},
{
"slug": "alcohol",
"name": "alcohol",
"singular": "alcohol",
"terms": [
"alcohol",
"alcoholic drink",
"alcoholic drinks",
"booze",
"liquor",
"drinking",
"drinker",
"binge drinking"
],
"source": "LABEL",
"note": "also SEED-MINDED, SEED-AURA and SEED-MICROTAPER (no alcohol)",
"members": [
{
"name": "alcohol",
"also": [
"ethanol",
"beer",
"lager",
"ale",
"stout",
"cider",
"wine",
"prosecco",
"champagne",
"sherry",
"port wine",
"spirits",
"whisky",
"whiskey",
"bourbon",
"vodka",
"gin",
"rum",
"tequila",
"brandy",
"cognac",
"cocktail",
"alcopop",
"hard seltzer",
"mead"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine",
"z-drug"
],
"kind": "cns_depression",
"severity": "major",
"effect": "added sedation and slowed breathing",
"advice": "avoid alcohol while taking it and while tapering",
"source": "LABEL"
}
},
{
"slug": "cannabis",
"name": "cannabis",
"singular": "cannabis",
"terms": [
"cannabis",
"cannabinoid",
"cannabinoids"
],
"source": "LABEL",
"assumption": true,
"note": "the label names other CNS depressants, not cannabis: grouping cannabis with them is taperline's assumption",
"members": [
{
"name": "cannabis",
"also": [
"marijuana",
"marihuana",
"weed",
"THC",
"delta 8",
"delta-8 THC",
"delta 9",
"hashish",
"hash",
"edibles",
"spliff"
]
},
{
"name": "cannabidiol",
"also": [
"CBD",
"CBD oil",
"Epidiolex"
]
},
{
"name": "dronabinol",
"also": [
"Marinol",
"Syndros"
]
},
{
"name": "nabilone",
"also": [
"Cesamet"
]
},
{
"name": "nabiximols",
"also": [
"Sativex"
]
}
],
"interaction": {
"applies_to": [
"benzodiazepine"
],
"kind": "cns_depression",
"severity": "moderate",
"effect": "more drowsiness and poorer coordination are possible; our sources give no clonazepam data",
"advice": "tell your prescriber; avoid driving after using both",
"source": "LABEL",
"assumption": true,
"note": "the label names other CNS depressants, not cannabis: taperline's assumption"
}
},
{
"slug": "valproate",
"name": "valproate",
"singular": "valproate",
"terms": [
"valproate",
"valproic acid"
],
"source": "LABEL",
"members": [
{
"name": "valproate",
"also": [
"valproic acid",
"sodium valproate",
"valproate semisodium",
"divalproex",
"divalproex sodium",
"Depakote",
"Depakote ER",
"Depakene",
"Depakine",
"Epilim",
"Epival",
"Convulex"
]
}
]
},
{
"slug": "cyp3a-inducers",
"name": "CYP3A inducers",
"singular": "a CYP3A inducer (it speeds up how some medicines are broken down)",
"terms": [
"cyp3a inducer",
"cyp3a4 inducer",
"enzyme inducer"
],
"source": "FDA-DDI-TABLE",
"note": "strong and moderate CYP3A inducers; the label names phenytoin, carbamazepine and phenobarbital",
"members": [
{
"name": "rifampin",
"also": [
"rifampicin",
"Rifadin",
"Rimactane"
]
},
{
"name": "rifabutin",
"also": [
"Mycobutin"
]
},
{
"name": "rifapentine",
"also": [
"Priftin"
]
},
{
"name": "carbamazepine",
"also": [
"Tegretol",
"Carbatrol",
"Equetro"
]
},
{
"name": "phenytoin",
"also": [
"Dilantin",
"Phenytek",
"Epanutin"
]
},
{
"name": "fosphenytoin",
"also": [
"Cerebyx"
]
},
{
"name": "phenobarbital",
"also": [
"phenobarbitone",
"Luminal"
]
},
{
"name": "primidone",
"also": [
"Mysoline"
]
},
{
"name": "St John's wort",
"also": [
"St John wort",
"Saint John's wort",
"hypericum"
]
},
{
"name": "enzalutamide",
"also": [
"Xtandi"
]
},
{
"name": "apalutamide",
"also": [
"Erleada"
]
},
{
"name": "mitotane",
"also": [
"Lysodren"
]
},
{
"name": "lumacaftor",
"also": [
"Orkambi"
]
},
{
"name": "ivosidenib",
"also": [
"Tibsovo"
]
},
{
"name": "bosentan",
"also": [
"Tracleer"
]
},
{
"name": "efavirenz",
"also": [
"Sustiva",
"Atripla"
]
},
{
"name": "etravirine",
"also": [
"Intelence"
]
}
]
},
{
"slug": "cyp3a-inhibitors",
"name": "CYP3A inhibitors",
"singular": "a CYP3A inhibitor (it slows down how some medicines are broken down)",
"terms": [
"cyp3a inhibitor",
"cyp3a4 inhibitor",
"azole antifungal",
"macrolide antibiotic"
],
"source": "FDA-DDI-TABLE",
"note": "strong and moderate CYP3A inhibitors; the label names azole antifungals, macrolides and ritonavir (azithromycin, a macrolide that hardly inhibits CYP3A, is not listed)",
"members": [
{
"name": "ketoconazole",
"also": [
"Nizoral"
]
},
{
"name": "itraconazole",
"also": [
"Sporanox",
"Tolsura"
]
},
{
"name": "voriconazole",
"also": [
"Vfend"
]
},
{
"name": "posaconazole",
"also": [
"Noxafil"
]
},
{
"name": "isavuconazole",
"also": [
"isavuconazonium",
"Cresemba"
]
},
{
"name": "fluconazole",
"also": [
"Diflucan"
]
},
{
"name": "clarithromycin",
"also": [
"Biaxin",
"Klaricid"
]
},
{
"name": "erythromycin",
"also": [
"Ery-Tab",
"Erythrocin",
"E.E.S."
]
},
{
"name": "telithromycin",
"also": [
"Ketek"
]
},
{
"name": "ritonavir",
"also": [
"Norvir",
"Paxlovid",
"nirmatrelvir",
"Kaletra",
"lopinavir"
]
},
{
"name": "cobicistat",
"also": [
"Tybost",
"Stribild",
"Genvoya",
"Prezcobix",
"Evotaz",
"Symtuza"
]
},
{
"name": "nelfinavir",
"also": [
"Viracept"
]
},
{
"name": "saquinavir",
"also": [
"Invirase"
]
},
{
"name": "indinavir",
"also": [
"Crixivan"
]
},
{
"name": "nefazodone"
},
{
"name": "idelalisib",
"also": [
"Zydelig"
]
},
{
"name": "tucatinib",
"also": [
"Tukysa"
]
},
{
"name": "grapefruit",
"also": [
"grapefruit juice"
]
},
{
"name": "diltiazem",
"also": [
"Cardizem",
"Tiazac"
]
},
{
"name": "verapamil",
"also": [
"Calan",
"Isoptin",
"Verelan"
]
},
{
"name": "fluvoxamine",
"also": [
"Luvox"
]
},
{
"name": "aprepitant",
"also": [
"Emend"
]
},
{
"name": "ciprofloxacin",
"also": [
"Cipro",
"Ciproxin"
]
},
{
"name": "cyclosporine",
"also": [
"ciclosporin",
"Neoral",
"Sandimmune"
]
},
{
"name": "dronedarone",
"also": [
"Multaq"
]
},
{
"name": "imatinib",
"also": [
"Gleevec",
"Glivec"
]
},
{
"name": "crizotinib",
"also": [
"Xalkori"
]
},
{
"name": "conivaptan",
"also": [
"Vaprisol"
]
}
]
}
],
"drugs": [
{
"name": "clonazepam",
"brand_names": [
"Klonopin",
"Rivotril"
],
"drug_class": "benzodiazepine",
"rxnorm_ingredient": {
"value": "2598",
"source": "RXNORM",
"assumption": true,
"note": "marked unconfirmed in clinical-basis"
},
"rxnorm_source": "RXNORM",
"half_life_h": {
"typical": 35.0,
"low": 30.0,
"high": 40.0,
"source": "LABEL",
"note": "label range; individual values of about 19-60 h are reported"
},
"tmax_h": {
"typical": 2.6,
"low": 1.0,
"high": 4.0,
"source": "LABEL",
"assumption": true,
"note": "range 1-4 h from the label; typical is taperline's arithmetic: the one-compartment default (ka 1.7 /h, t1/2 35 h) peaks at about 2.6 h"
},
"ka_per_h": {
"value": 1.7,
"source": "BERLIN-1975",
"note": "absorption half-life about 24 min; clinical-basis cites LABEL, GREENBLATT-2005 and BERLIN-1975 for this section; KRUIZINGA-2022 fitted 1.1 /h in 75 % of people"
},
"bioavailability": {
"value": 0.9,
"source": "LABEL",
"note": "CREVOISIER-2003 also reports F 0.9"
},
"pk_apparent": true,
"cl_l_per_h": {
"value": 4.0,
"source": "GREENBLATT-2005",
"note": "apparent CL/F; 4.3 L/h rounded to the one-compartment default consistent with the label (t1/2 35 h); KRUIZINGA-2022 2.98 L/h, CREVOISIER-2003 3.3 L/h i.v."
},
"v_l": {
"value": 200.0,
"source": "LABEL",
"note": "apparent V/F; about 3 L/kg (label Vd 1.5-4.4 L/kg) for a 70 kg adult, and consistent with t1/2 35 h at CL/F 4 L/h"
},
"cv_cl": {
"value": 0.2,
"source": "YUKAWA-2002",
"assumption": true,
"note": "between-patient CV of CL/F in paediatric/young patients; no population variability table confirmed"
},
"cv_v": {
"value": 0.25,
"source": "LABEL",
"assumption": true,
"note": "no CV of V/F confirmed; 25 % is taperline's documented default (as in core.population), consistent with the label's Vd spread of 1.5-4.4 L/kg and above the floor set by the CV of F, about 16 % (KRUIZINGA-2022)"
},
"cv_ka": {
"value": 0.42,
"source": "KRUIZINGA-2022",
"assumption": true,
"note": "healthy young adults; the study also found a fast-absorbing subgroup (ka about 100 /h in 25 %)"
},
"daily_maxima": [
{
"indication": "panic",
"max_mg": "4 mg",
"applies_to": "adults with panic disorder",
"source": "LABEL",
"note": "start 0.25 mg twice daily; safety and effectiveness in panic disorder under 18 are not established"
},
{
"indication": "sleep",
"max_mg": "4 mg",
"applies_to": "adults taking it for sleep (an off-label use)",
"source": "SEED-AURA",
"note": "also SEED-MINDED"
},
{
"indication": "seizure",
"max_mg": "20 mg",
"applies_to": "adults with a seizure disorder",
"source": "LABEL",
"note": "children are dosed by body weight (0.01-0.03 mg/kg/day to start, 0.1-0.2 mg/kg/day to maintain, in three doses), which taperline does not take"
}
],
"plausible_single_dose": {
"min_mg": "0.01 mg",
"max_mg": "4 mg",
"source": "SEED-AURA",
"note": "taperline's own safety limits for catching mcg/mg slips: the minimum is one 0.1 mL step of the 0.1 mg/mL suspension; the maximum is the daily maximum of 4 mg (SEED-AURA, SEED-MINDED), since no single dose can exceed the whole day's maximum"
},
"sleep_use": {
"low_mg": "0.25 mg",
"high_mg": "2 mg",
"before_bed_min": 30,
"short_term_low_weeks": 2,
"short_term_high_weeks": 4,
"source": "SEED-AURA",
"note": "also SEED-MINDED (0.25-2 mg at bedtime; short-term use, typically 2-4 weeks)"
},
"equivalences": [
{
"dose_mg": "0.5 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg"
},
{
"dose_mg": "1 mg",
"source": "VADOD-2021",
"note": "equivalent to diazepam 10 mg, as tabulated in ASAM-2025; a 2-fold disagreement with Ashton"
}
],
"dose_bands": [
{
"name": "low",
"low_mg": "0.25 mg",
"includes_low": true,
"high_mg": "0.5 mg",
"includes_high": true,
"effects": "mild sedation; falling asleep more easily",
"risks": "tolerance possible; rebound insomnia if stopped abruptly",
"source": "SEED-INSOMNIA"
},
{
"name": "low-moderate",
"low_mg": "0.5 mg",
"includes_low": false,
"high_mg": "1 mg",
"includes_high": false,
"effects": "between the source's low and moderate bands: expect some of both",
"risks": "as for the low and moderate bands",
"source": "SEED-INSOMNIA",
"assumption": true,
"note": "the source describes 0.25-0.5 mg and 1-2 mg only; this band is taperline's interpolation"
},
{
"name": "moderate",
"low_mg": "1 mg",
"includes_low": true,
"high_mg": "2 mg",
"includes_high": true,
"effects": "stronger sedation; daytime drowsiness; altered REM sleep",
"risks": "faster tolerance; fragmented sleep",
"source": "SEED-INSOMNIA"
},
{
"name": "high",
"low_mg": "2 mg",
"includes_low": false,
"effects": "central nervous system depression; severe alteration of the sleep cycle",
"risks": "dependence; paradoxical reactions",
"source": "SEED-INSOMNIA"
}
],
"products": [
{
"form": "tablet",
"strength": "0.5 mg",
"divisible_by": 2,
"rxnorm": "197527",
"source": "LABEL",
"note": "scored for halves"
},
{
"form": "tablet",
"strength": "1 mg",
"rxnorm": "197528",
"source": "LABEL"
},
{
"form": "tablet",
"strength": "2 mg",
"rxnorm": "197529",
"source": "LABEL"
},
{
"form": "odt",
"strength": "0.125 mg",
"rxnorm": "349194",
"source": "LABEL"
},
{
"form": "odt",
"strength": "0.25 mg",
"rxnorm": "349195",
"source": "LABEL"
},
{
"form": "odt",
"strength": "0.5 mg",
"rxnorm": "349198",
"source": "LABEL"
},
{
"form": "odt",
"strength": "1 mg",
"rxnorm": "349196",
"source": "LABEL"
},
{
"form": "odt",
"strength": "2 mg",
"rxnorm": "349197",
"source": "LABEL"
},
{
"form": "liquid",
"concentration": "0.1 mg/mL",
"resolution": "0.1 mL",
"compounded": true,
"suspension": true,
"source": "USP-COMPOUNDED",
"note": "compounded oral suspension (beyond-use 60 days); clonazepam dissolves poorly in water, so shake well and measure with an oral syringe; 0.1 mL is taperline's default syringe resolution"
},
{
"form": "liquid",
"concentration": "2.5 mg/mL",
"resolution": "0.1 mL",
"compounded": false,
"suspension": false,
"source": "RIVOTRIL-DROPS",
"note": "oral drops sold in some countries, not in the US; 0.1 mL is taperline's default syringe resolution"
}
],
"interactions": [
{
"agent": "opioids",
"class": "opioids",
"group": "opioids",
"kind": "cns_depression",
"severity": "major",
"effect": "profound sedation, slowed or stopped breathing, coma and death (boxed warning: every opioid)",
"advice": "do not combine without your prescriber's explicit plan; seek urgent help for slow or shallow breathing",
"source": "LABEL",
"note": "any opioid: the risk is the class; SEED-MINDED names codeine, methadone, morphine, oxycodone and hydrocodone"
},
{
"agent": "alcohol",
"class": "alcohol",
"group": "alcohol",
"kind": "cns_depression",
"severity": "major",
"effect": "added sedation and slowed breathing",
"advice": "avoid alcohol while taking clonazepam and while tapering",
"source": "SEED-MINDED",
"note": "also LABEL (CNS depressants), SEED-AURA and SEED-MICROTAPER (no alcohol); severity graded by taperline"
},
{
"agent": "carbamazepine",
"aliases": [
"Tegretol",
"Carbatrol",
"Equetro"
],
"group": "anticonvulsants",
"kind": "cyp3a_inducer",
"severity": "moderate",
"effect": "lowers clonazepam levels by 19-37 % (half-life 32 -> 22.5 h)",
"advice": "starting or stopping it changes clonazepam levels; tell your prescriber",
"source": "LAI-1978"
},
{
"agent": "phenytoin",
"aliases": [
"Dilantin",
"Phenytek",
"Epanutin"
],
"group": "anticonvulsants",
"kind": "cyp3a_inducer",
"severity": "moderate",
"effect": "raises clonazepam clearance by 46-58 % (lower levels)",
"advice": "starting or stopping it changes clonazepam levels; tell your prescriber",
"source": "KAPLAN-1980"
},
{
"agent": "phenobarbital",
"aliases": [
"phenobarbitone",
"Luminal"
],
"group": "anticonvulsants",
"kind": "cyp3a_inducer",
"severity": "moderate",
"effect": "raises clonazepam clearance by 19-24 % (lower levels), and adds sedation",
"advice": "starting or stopping it changes clonazepam levels; tell your prescriber",
"source": "KAPLAN-1980"
},
{
"agent": "anticonvulsants",
"aliases": [
"anticonvulsant",
"antiepileptics",
"antiepileptic",
"carbamazepine",
"phenytoin",
"phenobarbital"
],
"group": "anticonvulsants",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added drowsiness",
"advice": "tell your prescriber about every seizure medicine",
"source": "SEED-MINDED"
},
{
"agent": "rifampin",
"aliases": [
"rifampicin",
"Rifadin",
"Rimactane"
],
"group": "cyp3a inducers",
"kind": "cyp3a_inducer",
"severity": "moderate",
"effect": "lowers clonazepam levels (CYP3A induction)",
"advice": "tell your prescriber; the effect may change as rifampin is started or stopped",
"source": "SEED-MINDED",
"note": "inducer mechanism from the label metabolism (CYP3A) in clinical-basis; no quantitative clonazepam data"
},
{
"agent": "fluconazole",
"aliases": [
"diflucan"
],
"group": "cyp3a inhibitors",
"kind": "cyp3a_inhibitor",
"severity": "moderate",
"effect": "may raise clonazepam levels (CYP3A inhibition)",
"advice": "watch for extra drowsiness; tell your prescriber",
"source": "SEED-MINDED",
"assumption": true,
"note": "qualitative only: no quantitative CYP3A-inhibitor data for clonazepam"
},
{
"agent": "cimetidine",
"aliases": [
"tagamet"
],
"group": "cyp3a inhibitors",
"kind": "cyp3a_inhibitor",
"severity": "moderate",
"effect": "may raise clonazepam levels (enzyme inhibition)",
"advice": "watch for extra drowsiness; tell your prescriber",
"source": "SEED-MINDED",
"assumption": true,
"note": "qualitative only: no quantitative inhibitor data for clonazepam"
},
{
"agent": "antipsychotics",
"class": "antipsychotics",
"group": "antipsychotics",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation",
"advice": "tell your prescriber",
"source": "SEED-MINDED",
"note": "also LABEL (CNS depressants)"
},
{
"agent": "antidepressants",
"aliases": [
"antidepressant",
"tricyclics",
"tricyclic antidepressants",
"tca",
"amitriptyline",
"nortriptyline"
],
"group": "antidepressants",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation (tricyclics especially)",
"advice": "tell your prescriber",
"source": "SEED-MINDED"
},
{
"agent": "hypnotics",
"aliases": [
"hypnotic",
"sleeping pills",
"sleeping tablets"
],
"group": "hypnotics",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation and next-day impairment",
"advice": "do not combine sleep medicines unless your prescriber planned it",
"source": "SEED-MINDED"
},
{
"agent": "muscle relaxants",
"aliases": [
"muscle relaxant",
"cyclobenzaprine",
"baclofen",
"tizanidine",
"carisoprodol",
"Soma",
"methocarbamol",
"metaxalone",
"orphenadrine"
],
"group": "muscle relaxants",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation",
"advice": "tell your prescriber",
"source": "SEED-MINDED"
},
{
"agent": "antihistamines",
"class": "sedating-antihistamines",
"group": "antihistamines",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation (sedating antihistamines)",
"advice": "avoid sleep aids containing antihistamines unless your prescriber agrees",
"source": "SEED-MINDED",
"note": "also LABEL (sedating antihistamines)"
},
{
"agent": "antihypertensives",
"aliases": [
"antihypertensive",
"blood pressure medicines"
],
"group": "antihypertensives",
"kind": "unspecified",
"severity": "moderate",
"effect": "listed as interacting; our sources give no mechanism",
"advice": "tell your prescriber",
"source": "SEED-MINDED"
},
{
"agent": "diuretics",
"aliases": [
"diuretic",
"water pills"
],
"group": "diuretics",
"kind": "unspecified",
"severity": "moderate",
"effect": "listed as interacting; our sources give no mechanism",
"advice": "tell your prescriber",
"source": "SEED-MINDED"
},
{
"agent": "kava",
"aliases": [
"kava kava"
],
"group": "herbal sedatives",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation",
"advice": "avoid herbal sedatives while taking clonazepam",
"source": "SEED-MINDED"
},
{
"agent": "valerian",
"aliases": [
"valerian root"
],
"group": "herbal sedatives",
"kind": "cns_depression",
"severity": "moderate",
"effect": "added sedation",
"advice": "avoid herbal sedatives while taking clonazepam",
"source": "SEED-MINDED"
},
{
"agent": "caffeine",
"aliases": [
"coffee",
"energy drinks"
],
"group": "stimulants",
"kind": "counteracts",
"severity": "minor",
"effect": "counteracts the calming effect and worsens sleep",
"advice": "avoid caffeine, especially later in the day",
"source": "SEED-MINDED",
"note": "also SEED-AURA (avoid caffeine)"
},
{
"agent": "CYP3A inducers",
"class": "cyp3a-inducers",
"group": "cyp3a inducers",
"kind": "cyp3a_inducer",
"severity": "moderate",
"effect": "lowers clonazepam levels (it is broken down by CYP3A), so it may work less well",
"advice": "starting or stopping it changes clonazepam levels; tell your prescriber",
"source": "LABEL"
},
{
"agent": "CYP3A inhibitors",
"class": "cyp3a-inhibitors",
"group": "cyp3a inhibitors",
"kind": "cyp3a_inhibitor",
"severity": "moderate",
"effect": "may raise clonazepam levels (CYP3A inhibition): more drowsiness",
"advice": "watch for extra drowsiness; tell your prescriber",
"source": "LABEL",
"assumption": true,
"note": "qualitative only: no quantitative CYP3A-inhibitor data for clonazepam"
},
{
"agent": "valproate",
"class": "valproate",
"group": "valproate",
"kind": "absence_status",
"severity": "moderate",
"effect": "the combination may produce absence status (long absence seizures: staring, not responding, confusion)",
"advice": "your neurologist should know you take both; get medical help at once for long staring spells or confusion",
"source": "LABEL"
}
],
"cautions": [
{
"condition": "sleep-apnea",
"aliases": [
"sleep apnoea",
"osa",
"obstructive sleep apnea"
],
"message": "Sleep apnea is one of the conditions to discuss before taking clonazepam: it can make breathing shallower.",
"source": "SEED-MINDED"
},
{
"condition": "liver-disease",
"aliases": [
"significant liver disease",
"severe liver disease",
"liver failure",
"liver damage",
"liver problems",
"hepatic impairment",
"hepatic failure",
"hepatic disease",
"cirrhosis",
"liver cirrhosis",
"hepatitis",
"cirrhotic",
"hepatic encephalopathy",
"Child-Pugh C",
"hep c",
"hep b",
"hepatitis c",
"hepatitis b",
"ascites"
],
"contraindication": true,
"message": "Significant liver disease is a contraindication to clonazepam: the label says it must not be used. Ask your prescriber today whether yours counts, and do not stop clonazepam abruptly on your own.",
"source": "LABEL",
"note": "SEED-MINDED lists liver disease among the conditions to discuss"
},
{
"condition": "narrow-angle-glaucoma",
"aliases": [
"acute narrow-angle glaucoma",
"narrow angle glaucoma",
"narrow angles",
"angle-closure glaucoma",
"acute angle-closure glaucoma",
"angle closure",
"closed-angle glaucoma",
"glaucoma narrow angle",
"glaucoma angle closure",
"glaucoma closed angle"
],
"contraindication": true,
"message": "Acute narrow-angle glaucoma is a contraindication to clonazepam: the label says it must not be used. Tell your prescriber today, and do not stop clonazepam abruptly on your own.",
"source": "LABEL"
},
{
"condition": "open-angle-glaucoma",
"aliases": [
"open angle glaucoma",
"primary open-angle glaucoma",
"chronic open-angle glaucoma",
"glaucoma open angle",
"poag"
],
"severity": "info",
"message": "Open-angle glaucoma under treatment is not a contraindication to clonazepam (only acute narrow-angle glaucoma is); tell your eye doctor that you take it.",
"source": "LABEL"
},
{
"condition": "glaucoma",
"message": "Which kind of glaucoma? Acute narrow-angle glaucoma is a contraindication to clonazepam; open-angle glaucoma under treatment is not. Ask your eye doctor, and tell your prescriber.",
"source": "LABEL"
},
{
"condition": "depression",
"aliases": [
"history of depression",
"depressed"
],
"message": "Tell your prescriber about any history of depression; suicidal thoughts are a rare side effect. Seek help at once if they appear.",
"source": "SEED-MINDED"
},
{
"condition": "epilepsy",
"aliases": [
"epileptic",
"seizure disorder",
"seizure history",
"history of seizures",
"seizure-free",
"convulsive disorder",
"Lennox-Gastaut"
],
"message": "Never stop clonazepam abruptly: withdrawal can cause seizures. If it treats epilepsy, involve your neurologist in any taper.",
"source": "SEED-MICROTAPER"
},
{
"condition": "pregnancy",
"aliases": [
"pregnant",
"planning pregnancy",
"planned pregnancy"
],
"message": "Discuss pregnancy, or plans for pregnancy, with your prescriber before taking or changing clonazepam.",
"source": "SEED-MINDED"
},
{
"condition": "breastfeeding",
"aliases": [
"nursing",
"lactation",
"breast-feeding"
],
"message": "Discuss breastfeeding with your prescriber before taking clonazepam.",
"source": "SEED-MINDED"
},
{
"condition": "age-65-plus",
"aliases": [
"older adult",
"elderly",
"over 65",
"aged 65",
"age 65",
"65 or older",
"65 and over",
"65 years or older"
],
"message": "Guidelines advise avoiding benzodiazepines in older adults (falls, confusion); deprescribing is recommended from 65.",
"source": "BEERS-2023",
"note": "deprescribing from 65: DEPRESCRIBING-2018"
},
{
"condition": "respiratory-disease",
"aliases": [
"copd",
"lung disease",
"chronic lung disease",
"respiratory failure"
],
"message": "Clonazepam can make breathing shallower; with lung disease discuss it with your prescriber.",
"source": "SEED-MINDED",
"note": "shallow breathing is a listed physical side effect"
},
{
"condition": "benzodiazepine-sensitivity",
"aliases": [
"benzodiazepine allergy",
"benzodiazepine hypersensitivity",
"sensitivity to benzodiazepines",
"allergy to benzodiazepines",
"allergic to benzodiazepines",
"hypersensitivity to benzodiazepines",
"benzo allergy",
"benzo sensitivity",
"allergic to benzos"
],
"contraindication": true,
"message": "A history of sensitivity to benzodiazepines (an allergic or other bad reaction) is a contraindication to clonazepam: the label says it must not be used. Tell your prescriber today, and do not stop clonazepam abruptly on your own.",
"source": "LABEL",
"note": "SEED-MINDED lists it among the conditions to discuss; screening also recognises an allergy word with any benzodiazepine name ('allergic to Xanax')"
},
{
"condition": "hazardous-occupation",
"aliases": [
"driving",
"operating machinery",
"machinery"
],
"message": "Clonazepam slows reactions: take care with driving and machinery, and discuss hazardous work with your prescriber.",
"source": "SEED-MINDED"
},
{
"condition": "bipolar",
"aliases": [
"bipolar disorder",
"mania",
"manic depression"
],
"message": "Sleep disturbance (for example during a taper) can trigger mania in bipolar disorder: plan the taper with your psychiatrist.",
"source": "SEED-MICROTAPER"
},
{
"condition": "substance-use",
"aliases": [
"substance use disorder",
"addiction",
"alcohol use disorder"
],
"message": "Benzodiazepines carry risks of misuse and addiction, and mixing with alcohol or opioids is dangerous; tell your prescriber about any substance use.",
"source": "LABEL",
"note": "boxed warning (abuse, misuse, addiction; opioids)"
}
],
"facts": [
{
"topic": "boxed_warning",
"text": "Boxed warning: taking it with any opioid can cause profound sedation, slowed or stopped breathing, coma and death.",
"source": "LABEL"
},
{
"topic": "boxed_warning",
"text": "Boxed warning: it can be misused and lead to addiction; taken regularly it causes physical dependence, and stopping suddenly or cutting down too fast can cause dangerous withdrawal reactions.",
"source": "LABEL"
},
{
"topic": "warnings",
"text": "Medicines for epilepsy, clonazepam included, raise the risk of suicidal thoughts and behaviour: get help at once (988 in the US, or your local emergency number).",
"source": "LABEL"
},
{
"topic": "daily_max",
"text": "In panic disorder, safety and effectiveness in people under 18 have not been established.",
"source": "LABEL"
},
{
"topic": "daily_max",
"text": "Children with seizures are dosed by body weight by their specialist; taperline does not take weight, so none of these maximums applies to them.",
"source": "LABEL"
},
{
"topic": "onset",
"text": "Effects start within about an hour.",
"source": "SEED-AURA"
},
{
"topic": "duration",
"text": "Effects last about 8-12 hours; the long half-life keeps levels steady overnight.",
"source": "SEED-MINDED"
},
{
"topic": "sleep_use",
"text": "For sleep, 0.25-2 mg is taken at bedtime, about 30 minutes before bed.",
"source": "SEED-AURA"
},
{
"topic": "sleep_use",
"text": "Start low and increase gradually; do not take more than 4 mg in a day.",
"source": "SEED-AURA"
},
{
"topic": "sleep_use",
"text": "Use for sleep is meant to be short-term: weeks, typically 2-4 weeks.",
"source": "SEED-MINDED"
},
{
"topic": "sleep_use",
"text": "Avoid alcohol and caffeine.",
"source": "SEED-AURA"
},
{
"topic": "side_effects_common",
"text": "Drowsiness, dizziness, poor coordination (ataxia in about 30 % of people), confusion and memory problems.",
"source": "SEED-MINDED"
},
{
"topic": "side_effects_behavioural",
"text": "Rare: hallucinations, paranoia, rage, nightmares and suicidal thoughts. Seek help at once for suicidal thoughts.",
"source": "SEED-MINDED"
},
{
"topic": "side_effects_physical",
"text": "Falls, shallow breathing, irregular heartbeat, blurred vision, headache, slurred speech, changes in appetite or weight.",
"source": "SEED-MINDED"
},
{
"topic": "side_effects_stopping",
"text": "Palpitations can occur on stopping.",
"source": "SEED-MINDED"
},
{
"topic": "side_effects_stopping",
"text": "Never stop abruptly: withdrawal can cause seizures. Taper slowly under supervision.",
"source": "SEED-MICROTAPER"
},
{
"topic": "insomnia_paradox",
"text": "Tolerance: the same dose helps sleep less over time.",
"source": "SEED-INSOMNIA"
},
{
"topic": "insomnia_paradox",
"text": "Rebound insomnia: sleep gets worse when levels drop or a dose is missed.",
"source": "SEED-INSOMNIA"
},
{
"topic": "insomnia_paradox",
"text": "Interdose withdrawal: withdrawal-like symptoms as each dose wears off.",
"source": "SEED-INSOMNIA"
},
{
"topic": "insomnia_paradox",
"text": "It suppresses REM and slow-wave (deep) sleep, so sleep can feel less restoring.",
"source": "SEED-INSOMNIA"
},
{
"topic": "insomnia_paradox",
"text": "It can disrupt the body clock (circadian rhythm).",
"source": "SEED-INSOMNIA"
},
{
"topic": "insomnia_paradox",
"text": "Anxiety rebound can keep you awake.",
"source": "SEED-INSOMNIA"
},
{
"topic": "insomnia_paradox",
"text": "Timing matters: late doses cause morning sedation; missed or irregular doses cause withdrawal-like insomnia.",
"source": "SEED-INSOMNIA"
},
{
"topic": "alternatives",
"text": "Cognitive behavioural therapy for insomnia (CBT-I) is the first choice and the gold standard.",
"source": "SEED-INSOMNIA"
},
{
"topic": "alternatives",
"text": "Other options: z-drugs (which still carry a dependence risk), melatonin, low-dose antihistamines, sleep hygiene and relaxation.",
"source": "SEED-INSOMNIA"
},
{
"topic": "alternatives",
"text": "Relaxation content chosen by mood can be paired with sleep tracking.",
"source": "SEED-AURA"
},
{
"topic": "alternatives",
"text": "CBT or CBT-I should be offered alongside a taper.",
"source": "ASAM-2025"
},
{
"topic": "discuss_before",
"text": "Other conditions: sensitivity to benzodiazepines, liver disease, sleep apnea.",
"source": "SEED-MINDED"
},
{
"topic": "discuss_before",
"text": "All medicines you take, including herbal ones.",
"source": "SEED-MINDED"
},
{
"topic": "discuss_before",
"text": "Any history of depression; a hazardous occupation (driving, machinery); pregnancy or planned pregnancy; breastfeeding.",
"source": "SEED-MINDED"
},
{
"topic": "pharmacology",
"text": "About 85 % is bound to plasma proteins; it is broken down by nitroreduction (CYP3A) and then NAT2 acetylation.",
"source": "LABEL"
},
{
"topic": "pharmacology",
"text": "Kinetics are linear; taken once a day it accumulates about 3-fold to steady state.",
"source": "LABEL"
},
{
"topic": "levels",
"text": "Anticonvulsant range 20-70 ng/mL; toxicity is mostly above 80-100 ng/mL.",
"source": "TDM"
}
]
},
{
"name": "diazepam",
"brand_names": [
"Valium"
],
"drug_class": "benzodiazepine",
"rxnorm_ingredient": {
"value": "3322",
"source": "RXNORM"
},
"rxnorm_source": "RXNORM",
"half_life_h": {
"typical": 60.0,
"low": 20.0,
"high": 100.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range; half-life rises with age, about 20 h at 20 to 90 h at 80 (KLOTZ-1975)"
},
"active_metabolite_half_life_h": {
"typical": 118.0,
"low": 36.0,
"high": 200.0,
"source": "ASHTON",
"assumption": true,
"note": "desmethyldiazepam; typical is taperline's midpoint of Ashton's range"
},
"daily_max_mg": {
"value": "40 mg",
"source": "LABEL-DIAZEPAM",
"assumption": true,
"note": "anxiety: 2-10 mg two to four times daily; transcribed, verify against the current label"
},
"plausible_single_dose": {
"min_mg": "0.1 mg",
"max_mg": "40 mg",
"source": "LABEL-DIAZEPAM",
"note": "taperline's own limits: one 0.1 mL step of the 1 mg/mL solution; the daily maximum"
},
"equivalences": [
{
"dose_mg": "10 mg",
"source": "ASHTON",
"note": "the reference drug"
},
{
"dose_mg": "10 mg",
"source": "VADOD-2021",
"note": "the reference drug"
}
],
"products": [
{
"form": "tablet",
"strength": "2 mg",
"divisible_by": 2,
"source": "LABEL-DIAZEPAM",
"note": "scored"
},
{
"form": "tablet",
"strength": "5 mg",
"divisible_by": 2,
"source": "LABEL-DIAZEPAM",
"note": "scored"
},
{
"form": "tablet",
"strength": "10 mg",
"divisible_by": 2,
"source": "LABEL-DIAZEPAM",
"note": "scored"
},
{
"form": "liquid",
"concentration": "1 mg/mL",
"resolution": "0.1 mL",
"compounded": false,
"suspension": false,
"source": "LABEL-DIAZEPAM",
"note": "diazepam oral solution (5 mg in 5 mL); 0.1 mL is taperline's default syringe resolution"
}
],
"interactions": [
{
"agent": "opioids",
"class": "opioids",
"group": "opioids",
"kind": "cns_depression",
"severity": "major",
"effect": "profound sedation, slowed or stopped breathing, coma and death (boxed warning)",
"advice": "do not combine without your prescriber's explicit plan",
"source": "LABEL-DIAZEPAM"
}
],
"cautions": [
{
"condition": "age-65-plus",
"aliases": [
"older adult",
"elderly",
"over 65",
"aged 65",
"age 65",
"65 or older",
"65 and over",
"65 years or older"
],
"message": "Diazepam's half-life rises steeply with age (about 20 h at 20 to 90 h at 80), so it builds up in older adults.",
"source": "KLOTZ-1975"
}
]
},
{
"name": "lorazepam",
"brand_names": [
"Ativan"
],
"drug_class": "benzodiazepine",
"half_life_h": {
"typical": 15.0,
"low": 10.0,
"high": 20.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range"
},
"daily_max_mg": {
"value": "10 mg",
"source": "LABEL-LORAZEPAM",
"assumption": true,
"note": "label range 1-10 mg/day; transcribed, verify against the current label"
},
"plausible_single_dose": {
"min_mg": "0.05 mg",
"max_mg": "10 mg",
"source": "LABEL-LORAZEPAM",
"note": "taperline's own limits: one tenth of the smallest tablet; the daily maximum"
},
"equivalences": [
{
"dose_mg": "1 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg"
},
{
"dose_mg": "2 mg",
"source": "VADOD-2021",
"note": "equivalent to diazepam 10 mg, as tabulated in ASAM-2025"
}
],
"products": [
{
"form": "tablet",
"strength": "0.5 mg",
"source": "LABEL-LORAZEPAM",
"note": "scoring not confirmed: treated as whole tablets only"
},
{
"form": "tablet",
"strength": "1 mg",
"source": "LABEL-LORAZEPAM"
},
{
"form": "tablet",
"strength": "2 mg",
"source": "LABEL-LORAZEPAM"
}
],
"interactions": [
{
"agent": "opioids",
"class": "opioids",
"group": "opioids",
"kind": "cns_depression",
"severity": "major",
"effect": "profound sedation, slowed or stopped breathing, coma and death (boxed warning)",
"advice": "do not combine without your prescriber's explicit plan",
"source": "LABEL-LORAZEPAM"
}
]
},
{
"name": "alprazolam",
"brand_names": [
"Xanax"
],
"drug_class": "benzodiazepine",
"half_life_h": {
"typical": 9.0,
"low": 6.0,
"high": 12.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range"
},
"daily_max_mg": {
"value": "4 mg",
"source": "LABEL-ALPRAZOLAM",
"assumption": true,
"note": "anxiety maximum; panic-disorder dosing in the label is higher; transcribed, verify against the current label"
},
"plausible_single_dose": {
"min_mg": "0.025 mg",
"max_mg": "4 mg",
"source": "LABEL-ALPRAZOLAM",
"note": "taperline's own limits: one tenth of the smallest tablet; the daily maximum"
},
"equivalences": [
{
"dose_mg": "0.5 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg"
},
{
"dose_mg": "1 mg",
"source": "VADOD-2021",
"note": "equivalent to diazepam 10 mg, as tabulated in ASAM-2025"
}
],
"products": [
{
"form": "tablet",
"strength": "0.25 mg",
"source": "LABEL-ALPRAZOLAM"
},
{
"form": "tablet",
"strength": "0.5 mg",
"source": "LABEL-ALPRAZOLAM"
},
{
"form": "tablet",
"strength": "1 mg",
"source": "LABEL-ALPRAZOLAM"
},
{
"form": "tablet",
"strength": "2 mg",
"divisible_by": 4,
"source": "LABEL-ALPRAZOLAM",
"note": "multi-scored: two 1 mg or four 0.5 mg segments"
}
],
"interactions": [
{
"agent": "opioids",
"class": "opioids",
"group": "opioids",
"kind": "cns_depression",
"severity": "major",
"effect": "profound sedation, slowed or stopped breathing, coma and death (boxed warning)",
"advice": "do not combine without your prescriber's explicit plan",
"source": "LABEL-ALPRAZOLAM"
}
]
},
{
"name": "temazepam",
"brand_names": [
"Restoril"
],
"drug_class": "benzodiazepine",
"half_life_h": {
"typical": 15.0,
"low": 8.0,
"high": 22.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range"
},
"daily_max_mg": {
"value": "30 mg",
"source": "LABEL-TEMAZEPAM",
"assumption": true,
"note": "7.5-30 mg at bedtime; transcribed, verify against the current label"
},
"plausible_single_dose": {
"min_mg": "0.75 mg",
"max_mg": "30 mg",
"source": "LABEL-TEMAZEPAM",
"note": "taperline's own limits: one tenth of the smallest capsule; the daily maximum"
},
"equivalences": [
{
"dose_mg": "20 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg"
},
{
"dose_mg": "15 mg",
"source": "VADOD-2021",
"note": "equivalent to diazepam 10 mg, as tabulated in ASAM-2025"
}
],
"products": [
{
"form": "capsule",
"strength": "7.5 mg",
"source": "LABEL-TEMAZEPAM"
},
{
"form": "capsule",
"strength": "15 mg",
"source": "LABEL-TEMAZEPAM"
},
{
"form": "capsule",
"strength": "22.5 mg",
"source": "LABEL-TEMAZEPAM"
},
{
"form": "capsule",
"strength": "30 mg",
"source": "LABEL-TEMAZEPAM"
}
]
},
{
"name": "oxazepam",
"brand_names": [
"Serax"
],
"drug_class": "benzodiazepine",
"half_life_h": {
"typical": 9.5,
"low": 4.0,
"high": 15.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range"
},
"daily_max_mg": {
"value": "120 mg",
"source": "LABEL-OXAZEPAM",
"assumption": true,
"note": "severe anxiety: 15-30 mg three or four times daily; transcribed, verify against the current label"
},
"plausible_single_dose": {
"min_mg": "1 mg",
"max_mg": "30 mg",
"source": "LABEL-OXAZEPAM",
"note": "taperline's own limits: one tenth of the smallest capsule; the largest single dose in the label"
},
"equivalences": [
{
"dose_mg": "20 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg"
},
{
"dose_mg": "30 mg",
"source": "VADOD-2021",
"note": "equivalent to diazepam 10 mg, as tabulated in ASAM-2025"
}
],
"products": [
{
"form": "capsule",
"strength": "10 mg",
"source": "LABEL-OXAZEPAM"
},
{
"form": "capsule",
"strength": "15 mg",
"source": "LABEL-OXAZEPAM"
},
{
"form": "capsule",
"strength": "30 mg",
"source": "LABEL-OXAZEPAM"
}
]
},
{
"name": "chlordiazepoxide",
"brand_names": [
"Librium"
],
"drug_class": "benzodiazepine",
"half_life_h": {
"typical": 17.5,
"low": 5.0,
"high": 30.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range"
},
"active_metabolite_half_life_h": {
"typical": 118.0,
"low": 36.0,
"high": 200.0,
"source": "ASHTON",
"assumption": true,
"note": "typical is taperline's midpoint of Ashton's range"
},
"daily_max_mg": {
"value": "300 mg",
"source": "LABEL-CHLORDIAZEPOXIDE",
"assumption": true,
"note": "alcohol-withdrawal maximum; anxiety dosing is lower; transcribed, verify against the current label"
},
"plausible_single_dose": {
"min_mg": "0.5 mg",
"max_mg": "100 mg",
"source": "LABEL-CHLORDIAZEPOXIDE",
"note": "taperline's own limits: one tenth of the smallest capsule; the largest single dose in the label (alcohol withdrawal)"
},
"equivalences": [
{
"dose_mg": "25 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg"
},
{
"dose_mg": "25 mg",
"source": "VADOD-2021",
"note": "equivalent to diazepam 10 mg, as tabulated in ASAM-2025"
}
],
"products": [
{
"form": "capsule",
"strength": "5 mg",
"source": "LABEL-CHLORDIAZEPOXIDE"
},
{
"form": "capsule",
"strength": "10 mg",
"source": "LABEL-CHLORDIAZEPOXIDE"
},
{
"form": "capsule",
"strength": "25 mg",
"source": "LABEL-CHLORDIAZEPOXIDE"
}
]
},
{
"name": "zolpidem",
"brand_names": [
"Ambien"
],
"drug_class": "z-drug",
"half_life_h": {
"typical": 2.5,
"low": 1.4,
"high": 4.5,
"source": "LABEL-ZOLPIDEM",
"assumption": true,
"note": "Ashton gives about 2 h; transcribed, verify against the current label"
},
"daily_max_mg": {
"value": "10 mg",
"source": "LABEL-ZOLPIDEM",
"assumption": true,
"note": "once nightly; the label's starting dose for women is 5 mg"
},
"plausible_single_dose": {
"min_mg": "0.5 mg",
"max_mg": "10 mg",
"source": "LABEL-ZOLPIDEM",
"note": "taperline's own limits: one tenth of the smallest tablet; the daily maximum"
},
"equivalences": [
{
"dose_mg": "20 mg",
"source": "ASHTON",
"note": "equivalent to diazepam 10 mg; a z-drug, so the equivalence is rough"
}
],
"products": [
{
"form": "tablet",
"strength": "5 mg",
"source": "LABEL-ZOLPIDEM"
},
{
"form": "tablet",
"strength": "10 mg",
"source": "LABEL-ZOLPIDEM"
}
],
"interactions": [
{
"agent": "alcohol",
"class": "alcohol",
"group": "alcohol",
"kind": "cns_depression",
"severity": "major",
"effect": "added sedation, next-day impairment and complex sleep behaviours",
"advice": "do not drink alcohol on a night you take zolpidem",
"source": "LABEL-ZOLPIDEM",
"assumption": true,
"note": "transcribed, verify against the current label"
}
]
}
]
}
"""
