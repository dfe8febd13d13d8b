"""Tourism: attractions, events and festivals, itineraries, reviews and favourites."""
