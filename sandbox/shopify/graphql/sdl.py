# ruff: noqa: E501 - SDL lines mirror Shopify's schema, one definition a line
"""The Admin GraphQL schema subset, as SDL (kept in Python so it ships with the package)."""

SDL = """
# The subset of Shopify's Admin GraphQL API 2025-10 that Cartpath uses.
# Names, types and nullability follow https://shopify.dev/docs/api/admin-graphql/2025-10
# (objects Shop, Product, ProductVariant, InventoryItem, Order, DraftOrder, CalculatedDraftOrder,
# CalculatedOrder, WebhookSubscription; mutations listed under Mutation).

schema {
  query: QueryRoot
  mutation: Mutation
}

scalar Money
scalar Decimal
scalar DateTime
scalar URL

enum CurrencyCode { USD EUR CAD GBP AUD }
enum CountryCode { US CA GB DE FR IT ES NL BE AT IE CH SE DK NO FI PL PT AU NZ JP MX BR }
enum ProductStatus { ACTIVE ARCHIVED DRAFT }
enum ProductVariantInventoryPolicy { DENY CONTINUE }
enum WeightUnit { GRAMS KILOGRAMS OUNCES POUNDS }
enum OrderDisplayFinancialStatus { PENDING AUTHORIZED PARTIALLY_PAID PAID PARTIALLY_REFUNDED REFUNDED VOIDED EXPIRED }
enum OrderTransactionKind { SALE AUTHORIZATION CAPTURE REFUND VOID CHANGE EMV_AUTHORIZATION SUGGESTED_REFUND }
enum OrderTransactionStatus { SUCCESS PENDING FAILURE ERROR AWAITING_RESPONSE UNKNOWN }
enum OrderCreateInputsInventoryBehavior { BYPASS DECREMENT_IGNORING_POLICY DECREMENT_OBEYING_POLICY }
enum OrderCreateFinancialStatus { PENDING AUTHORIZED PARTIALLY_PAID PAID EXPIRED }
enum OrderCreateUserErrorCode { FULFILLMENT_SERVICE_INVALID INVALID INVENTORY_CLAIM_FAILED PROCESSED_AT_INVALID REDUNDANT_CUSTOMER_FIELDS SHOP_DORMANT TAX_LINE_RATE_MISSING }
enum DraftOrderStatus { OPEN INVOICE_SENT COMPLETED }
enum WebhookSubscriptionFormat { JSON XML }
enum WebhookSubscriptionTopic { ORDERS_CREATE ORDERS_UPDATED ORDERS_PAID ORDERS_CANCELLED REFUNDS_CREATE PRODUCTS_UPDATE PRODUCTS_DELETE APP_UNINSTALLED }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type UserError {
  field: [String!]
  message: String!
}

type MoneyV2 {
  amount: Decimal!
  currencyCode: CurrencyCode!
}

type MoneyBag {
  shopMoney: MoneyV2!
  presentmentMoney: MoneyV2!
}

type ShopPlan {
  displayName: String!
  publicDisplayName: String!
  partnerDevelopment: Boolean!
  shopifyPlus: Boolean!
}

type Shop {
  id: ID!
  name: String!
  email: String!
  currencyCode: CurrencyCode!
  billingAddress: ShopAddress!
  myshopifyDomain: String!
  ianaTimezone: String!
  plan: ShopPlan!
}

type App {
  id: ID!
  title: String!
  apiKey: String!
}

type AppInstallation {
  id: ID!
  app: App!
  accessScopes: [AccessScope!]!
}

type AccessScope {
  handle: String!
}

type Image {
  id: ID
  url: URL!
  altText: String
  width: Int
  height: Int
}

type Product {
  id: ID!
  title: String!
  handle: String!
  descriptionHtml: String!
  vendor: String!
  productType: String!
  status: ProductStatus!
  tags: [String!]!
  totalInventory: Int!
  featuredImage: Image
  createdAt: DateTime!
  updatedAt: DateTime!
  variants(first: Int, after: String, last: Int, before: String, reverse: Boolean): ProductVariantConnection!
}

type ProductEdge { cursor: String! node: Product! }
type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }

type Weight {
  unit: WeightUnit!
  value: Float!
}

type InventoryItemMeasurement {
  id: ID!
  weight: Weight
}

type InventoryItem {
  id: ID!
  sku: String
  tracked: Boolean!
  requiresShipping: Boolean!
  measurement: InventoryItemMeasurement!
}

type ProductVariant {
  id: ID!
  title: String!
  displayName: String!
  sku: String
  price: Money!
  compareAtPrice: Money
  inventoryQuantity: Int
  inventoryPolicy: ProductVariantInventoryPolicy!
  availableForSale: Boolean!
  position: Int!
  taxable: Boolean!
  inventoryItem: InventoryItem!
  product: Product!
  createdAt: DateTime!
  updatedAt: DateTime!
}

type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }

type MailingAddress {
  firstName: String
  lastName: String
  name: String
  company: String
  address1: String
  address2: String
  city: String
  province: String
  provinceCode: String
  country: String
  countryCodeV2: CountryCode
  zip: String
  phone: String
}

type Attribute {
  key: String!
  value: String
}

type TaxLine {
  title: String
  rate: Float
  ratePercentage: Float
  priceSet: MoneyBag!
}

type ShippingLine {
  id: ID
  title: String!
  code: String
  originalPriceSet: MoneyBag!
  isRemoved: Boolean!
}

type ShippingLineEdge { cursor: String! node: ShippingLine! }
type ShippingLineConnection { edges: [ShippingLineEdge!]! nodes: [ShippingLine!]! pageInfo: PageInfo! }

type ShippingRate {
  handle: String!
  title: String!
  price: MoneyV2!
}

# draftOrderAvailableDeliveryOptions: https://shopify.dev/docs/api/admin-graphql/latest/queries/draftOrderAvailableDeliveryOptions
type DraftOrderShippingRate {
  code: String!
  handle: String!
  price: MoneyV2!
  source: String!
  title: String!
}

enum DistanceUnit { KILOMETERS MILES }
type Distance { unit: DistanceUnit! value: Float! }

# https://shopify.dev/docs/api/admin-graphql/latest/objects/PickupInStoreLocation
type PickupInStoreLocation {
  code: String!
  distanceFromBuyer: Distance
  handle: String!
  instructions: String!
  locationId: ID!
  source: String!
  title: String!
}

type DraftOrderAvailableDeliveryOptions {
  availableLocalDeliveryRates: [DraftOrderShippingRate!]!
  availableLocalPickupOptions: [PickupInStoreLocation!]!
  availableShippingRates: [DraftOrderShippingRate!]!
  pageInfo: PageInfo!
}

type OrderTransaction {
  id: ID!
  kind: OrderTransactionKind!
  status: OrderTransactionStatus!
  gateway: String
  authorizationCode: String
  amountSet: MoneyBag!
  createdAt: DateTime!
}

type LineItem {
  id: ID!
  title: String!
  name: String!
  variantTitle: String
  sku: String
  quantity: Int!
  currentQuantity: Int!
  variant: ProductVariant
  product: Product
  originalUnitPriceSet: MoneyBag!
  originalTotalSet: MoneyBag!
}

type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

type Order {
  id: ID!
  legacyResourceId: String!
  name: String!
  email: String
  note: String
  tags: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  cancelReason: String
  currencyCode: CurrencyCode!
  displayFinancialStatus: OrderDisplayFinancialStatus
  sourceName: String
  discountCodes: [String!]!
  customAttributes: [Attribute!]!
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  subtotalPriceSet: MoneyBag
  totalDiscountsSet: MoneyBag
  totalTaxSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  totalPriceSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  totalReceivedSet: MoneyBag!
  totalOutstandingSet: MoneyBag!
  taxLines: [TaxLine!]!
  shippingLine: ShippingLine
  shippingLines(first: Int, after: String, last: Int, before: String, reverse: Boolean, includeRemovals: Boolean = false): ShippingLineConnection!
  transactions(first: Int): [OrderTransaction!]!
  lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean): LineItemConnection!
}

type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }

type DraftOrderWarning {
  errorCode: String!
  field: String!
  message: String!
}

type CalculatedDraftOrderLineItem {
  title: String!
  sku: String
  quantity: Int!
  variant: ProductVariant
  product: Product
  originalUnitPriceSet: MoneyBag!
  originalTotalSet: MoneyBag!
}

type CalculatedDraftOrder {
  currencyCode: CurrencyCode!
  lineItems: [CalculatedDraftOrderLineItem!]!
  lineItemsSubtotalPrice: MoneyBag!
  subtotalPriceSet: MoneyBag!
  totalDiscountsSet: MoneyBag!
  totalShippingPriceSet: MoneyBag!
  totalTaxSet: MoneyBag!
  totalPriceSet: MoneyBag!
  taxLines: [TaxLine!]!
  availableShippingRates: [ShippingRate!]!
  shippingLine: ShippingLine
  discountCodes: [String!]!
  warnings: [DraftOrderWarning!]!
}

type DraftOrder {
  id: ID!
  name: String!
  status: DraftOrderStatus!
  email: String
  tags: [String!]!
  order: Order
  subtotalPriceSet: MoneyBag!
  totalTaxSet: MoneyBag!
  totalShippingPriceSet: MoneyBag!
  totalPriceSet: MoneyBag!
  taxLines: [TaxLine!]!
  createdAt: DateTime!
}

type CalculatedLineItem {
  id: ID!
  title: String!
  sku: String
  quantity: Int!
  variant: ProductVariant
  originalUnitPriceSet: MoneyBag!
}

type CalculatedLineItemEdge { cursor: String! node: CalculatedLineItem! }
type CalculatedLineItemConnection { edges: [CalculatedLineItemEdge!]! nodes: [CalculatedLineItem!]! pageInfo: PageInfo! }

enum CalculatedShippingLineStagedStatus { ADDED NONE REMOVED }
type CalculatedShippingLine { id: ID title: String! price: MoneyBag! stagedStatus: CalculatedShippingLineStagedStatus! }

type CalculatedOrder {
  id: ID!
  committed: Boolean!
  originalOrder: Order!
  lineItems(first: Int, after: String, last: Int, before: String): CalculatedLineItemConnection!
  addedLineItems(first: Int, after: String, last: Int, before: String): CalculatedLineItemConnection!
  shippingLines: [CalculatedShippingLine!]!
  subtotalPriceSet: MoneyBag
  totalPriceSet: MoneyBag!
  totalOutstandingSet: MoneyBag!
}

type WebhookApiVersion { handle: String! }

type WebhookSubscription {
  id: ID!
  legacyResourceId: String!
  topic: WebhookSubscriptionTopic!
  uri: String!
  callbackUrl: URL!
  format: WebhookSubscriptionFormat!
  includeFields: [String!]!
  apiVersion: WebhookApiVersion!
  createdAt: DateTime!
  updatedAt: DateTime!
}

type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
type WebhookSubscriptionConnection { edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo! }

# https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopAddress (a subset)
type ShopAddress {
  countryCodeV2: CountryCode
  provinceCode: String
}

# https://shopify.dev/docs/api/admin-graphql/latest/objects/shoplocale
type ShopLocale {
  locale: String!
  name: String!
  primary: Boolean!
  published: Boolean!
}

type QueryRoot {
  shop: Shop!
  currentAppInstallation: AppInstallation!
  shopLocales(published: Boolean): [ShopLocale!]!
  product(id: ID!): Product
  products(first: Int, after: String, last: Int, before: String, reverse: Boolean, query: String): ProductConnection!
  productVariant(id: ID!): ProductVariant
  productVariants(first: Int, after: String, last: Int, before: String, reverse: Boolean, query: String): ProductVariantConnection!
  order(id: ID!): Order
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean, query: String): OrderConnection!
  draftOrder(id: ID!): DraftOrder
  draftOrderAvailableDeliveryOptions(input: DraftOrderAvailableDeliveryOptionsInput!, localPickupCount: Int, localPickupFrom: Int, search: String, sessionToken: String): DraftOrderAvailableDeliveryOptions!
  webhookSubscription(id: ID!): WebhookSubscription
  webhookSubscriptions(first: Int, after: String, last: Int, before: String, reverse: Boolean, topics: [WebhookSubscriptionTopic!]): WebhookSubscriptionConnection!
}

input MoneyInput {
  amount: Decimal!
  currencyCode: CurrencyCode!
}

input MoneyBagInput {
  shopMoney: MoneyInput!
  presentmentMoney: MoneyInput
}

input MailingAddressInput {
  firstName: String
  lastName: String
  company: String
  address1: String
  address2: String
  city: String
  provinceCode: String
  countryCode: CountryCode
  zip: String
  phone: String
}

input AttributeInput {
  key: String!
  value: String!
}

input DraftOrderLineItemInput {
  variantId: ID
  quantity: Int!
  title: String
  sku: String
}

input ShippingLineInput {
  title: String
  shippingRateHandle: String
  priceWithCurrency: MoneyInput
}

input DraftOrderInput {
  lineItems: [DraftOrderLineItemInput!]
  email: String
  note: String
  tags: [String!]
  shippingAddress: MailingAddressInput
  billingAddress: MailingAddressInput
  discountCodes: [String!]
  shippingLine: ShippingLineInput
  customAttributes: [AttributeInput!]
}

# A subset of https://shopify.dev/docs/api/admin-graphql/latest/input-objects/DraftOrderAvailableDeliveryOptionsInput
input DraftOrderAvailableDeliveryOptionsInput {
  lineItems: [DraftOrderLineItemInput!]
  shippingAddress: MailingAddressInput
  discountCodes: [String!]
  shippingLine: ShippingLineInput
}

input OrderCreateLineItemInput {
  variantId: ID
  quantity: Int!
  title: String
  sku: String
  priceSet: MoneyBagInput
  requiresShipping: Boolean
  taxable: Boolean
}

# https://shopify.dev/docs/api/admin-graphql/latest/input-objects/OrderCreateOrderTransactionInput (a subset)
input OrderCreateOrderTransactionInput {
  kind: OrderTransactionKind
  status: OrderTransactionStatus
  gateway: String
  authorizationCode: String
  amountSet: MoneyBagInput!
}

input OrderCreateTaxLineInput {
  title: String!
  rate: Decimal!
  priceSet: MoneyBagInput
}

input OrderCreateShippingLineInput {
  title: String!
  code: String
  source: String
  priceSet: MoneyBagInput!
}

input OrderCreateDiscountCodeAttributesInput {
  code: String!
  percentage: Float
  amountSet: MoneyBagInput
}

input OrderCreateDiscountCodeInput {
  itemPercentageDiscountCode: OrderCreateDiscountCodeAttributesInput
  itemFixedDiscountCode: OrderCreateDiscountCodeAttributesInput
}

input OrderCreateOrderInput {
  lineItems: [OrderCreateLineItemInput!]
  email: String
  currency: CurrencyCode
  note: String
  tags: [String!]
  sourceName: String
  shippingAddress: MailingAddressInput
  billingAddress: MailingAddressInput
  transactions: [OrderCreateOrderTransactionInput!]
  taxLines: [OrderCreateTaxLineInput!]
  shippingLines: [OrderCreateShippingLineInput!]
  discountCode: OrderCreateDiscountCodeInput
  financialStatus: OrderCreateFinancialStatus
  customAttributes: [AttributeInput!]
}

input OrderCreateOptionsInput {
  inventoryBehaviour: OrderCreateInputsInventoryBehavior
  sendReceipt: Boolean
  sendFulfillmentReceipt: Boolean
}

input WebhookSubscriptionInput {
  uri: String
  callbackUrl: URL
  format: WebhookSubscriptionFormat
  includeFields: [String!]
}

type OrderCreateUserError {
  field: [String!]
  message: String!
  code: OrderCreateUserErrorCode
}

type OrderCreatePayload { order: Order userErrors: [OrderCreateUserError!]! }
type DraftOrderCalculatePayload { calculatedDraftOrder: CalculatedDraftOrder userErrors: [UserError!]! }
type DraftOrderCreatePayload { draftOrder: DraftOrder userErrors: [UserError!]! }
type DraftOrderCompletePayload { draftOrder: DraftOrder userErrors: [UserError!]! }
type OrderEditBeginPayload { calculatedOrder: CalculatedOrder userErrors: [UserError!]! }
type OrderEditAddVariantPayload { calculatedLineItem: CalculatedLineItem calculatedOrder: CalculatedOrder userErrors: [UserError!]! }
type OrderEditSetQuantityPayload { calculatedLineItem: CalculatedLineItem calculatedOrder: CalculatedOrder userErrors: [UserError!]! }
type OrderEditCommitPayload { order: Order userErrors: [UserError!]! }
# Shopify types `node` as the Node interface; orders are the only taggable resource here.
type TagsAddPayload { node: Order userErrors: [UserError!]! }
type WebhookSubscriptionCreatePayload { webhookSubscription: WebhookSubscription userErrors: [UserError!]! }
type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }
type AppUninstallAppUninstallError { field: [String!] message: String! code: String }
type AppUninstallPayload { app: App userErrors: [AppUninstallAppUninstallError!]! }

type Mutation {
  draftOrderCalculate(input: DraftOrderInput!): DraftOrderCalculatePayload
  draftOrderCreate(input: DraftOrderInput!): DraftOrderCreatePayload
  draftOrderComplete(id: ID!, paymentPending: Boolean): DraftOrderCompletePayload
  orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput): OrderCreatePayload
  orderEditBegin(id: ID!): OrderEditBeginPayload
  orderEditAddVariant(id: ID!, variantId: ID!, quantity: Int!, allowDuplicates: Boolean): OrderEditAddVariantPayload
  orderEditSetQuantity(id: ID!, lineItemId: ID!, quantity: Int!, restock: Boolean): OrderEditSetQuantityPayload
  orderEditCommit(id: ID!, notifyCustomer: Boolean, staffNote: String): OrderEditCommitPayload
  tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
  appUninstall: AppUninstallPayload
}
"""
