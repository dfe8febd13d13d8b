"""Health appointments: facilities publish slots, citizens book them, staff check patients in."""
