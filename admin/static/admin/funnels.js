// Funnel editor enhancements; the form works the same without them.
// Shows only the trigger fields of the chosen kind, hides unused offers' fields, and
// filters each product picker by title.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.querySelector('[data-switch="trigger"]');
  const showTrigger = () => {
    document.querySelectorAll("[data-when-trigger]").forEach((block) => {
      block.hidden = block.dataset.whenTrigger !== kind.value;
    });
  };
  if (kind) { kind.addEventListener("change", showTrigger); showTrigger(); }

  document.querySelectorAll('[data-switch="offer"]').forEach((box) => {
    const fields = box.closest(".offer-slot").querySelector(".offer-fields");
    const show = () => { fields.hidden = !box.checked; };
    box.addEventListener("change", show);
    show();
  });

  document.querySelectorAll(".picker-filter").forEach((input) => {
    input.hidden = false;
    const products = input.closest(".picker").querySelectorAll(".picker-product");
    input.addEventListener("input", () => {
      const wanted = input.value.trim().toLowerCase();
      products.forEach((product) => {
        const picked = product.querySelector("input:checked");
        product.hidden = Boolean(wanted) && !picked && !product.dataset.title.includes(wanted);
      });
    });
  });
});
