-- expect: add-column-rewriting-default
alter TABLE Users Add Column Token UUID Default Gen_Random_Uuid();
