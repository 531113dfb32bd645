"""Everything about links: the form (:mod:`.form`), creating, recording and regenerating them
(:mod:`.flow`), the cards and their parts (:mod:`.card`, :mod:`.card_parts`, :mod:`.link_list`),
the QR code (:mod:`.qr`), present mode and its screen choice (:mod:`.present`, :mod:`.screens`),
and the clipboard guard that clears a link when it expires (:mod:`.clipboard`)."""
