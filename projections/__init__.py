"""Read side: folds over the event log into plain data for queries."""
