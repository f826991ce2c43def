dist_man_MANS += man/xenp2m-sim.1
