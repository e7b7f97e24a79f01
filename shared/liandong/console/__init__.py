"""The staff console (工作台): pages over the service's own API, under /console/."""
