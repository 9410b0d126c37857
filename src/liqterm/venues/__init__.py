"""Venue adapters: one module per exchange behind :class:`liqterm.venues.base.VenueAdapter`."""
