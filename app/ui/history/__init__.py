"""The History tab: the panel (:mod:`.panel`), its table model read on the history worker
(:mod:`.model`), the filter row (:mod:`.filters`) and its dialogs (:mod:`.dialogs`)."""
